// Copies a drawn tile onto a window's surface. The tile's first image row,
// y0, arrives as the instance index; the viewport covers the tile's rows,
// so a fragment's framebuffer row minus y0 is its row in the tile.

@group(0) @binding(0) var tile: texture_2d<f32>;

struct Out {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) y0: u32,
};

@vertex
fn vs(@builtin(vertex_index) i: u32, @builtin(instance_index) y0: u32) -> Out {
    // One triangle over the viewport.
    let p = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u));
    var out: Out;
    out.position = vec4<f32>(p * 2.0 - 1.0, 0.0, 1.0);
    out.y0 = y0;
    return out;
}

fn texel(in: Out) -> vec4<f32> {
    let xy = vec2<i32>(i32(in.position.x), i32(in.position.y) - i32(in.y0));
    return vec4<f32>(textureLoad(tile, xy, 0).rgb, 1.0);
}

// The tile holds display (sRGB-encoded) values: copied as they are onto a
// UNORM surface,
@fragment
fn fs(in: Out) -> @location(0) vec4<f32> {
    return texel(in);
}

// and decoded first onto an sRGB surface, which encodes them again.
@fragment
fn fs_decode(in: Out) -> @location(0) vec4<f32> {
    let c = texel(in).rgb;
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return vec4<f32>(select(hi, lo, c <= vec3<f32>(0.04045)), 1.0);
}
