// One mip level of an RGBA8 image from the level above: each texel the
// alpha-weighted mean of its 2x2 parents (so transparent parents do not
// darken the colour of opaque ones), drawn by a full-screen triangle.

@group(0) @binding(0) var src: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4<f32> {
    let p = vec2<f32>(f32((vi << 1u) & 2u), f32(vi & 2u));
    return vec4<f32>(p * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let m = vec2<i32>(textureDimensions(src)) - vec2<i32>(1, 1);
    let p = vec2<i32>(floor(pos.xy)) * 2;
    var rgb = vec3<f32>(0.0);
    var a = 0.0;
    for (var k = 0; k < 4; k = k + 1) {
        let q = min(p + vec2<i32>(k & 1, k >> 1u), m);
        let t = textureLoad(src, q, 0);
        rgb = rgb + t.rgb * t.a;
        a = a + t.a;
    }
    if (a <= 0.0) {
        return vec4<f32>(0.0);
    }
    return vec4<f32>(rgb / a, a * 0.25);
}
