// A colored triangle, the smallest honest path from device to pixels.

struct Tile {
    // Maps full-frame clip space to this tile's clip space.
    scale: vec2<f32>,
    offset: vec2<f32>,
};
@group(0) @binding(0) var<uniform> tile: Tile;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> VsOut {
    var p = array<vec2<f32>, 3>(
        vec2<f32>(0.0, 0.8),
        vec2<f32>(-0.8, -0.8),
        vec2<f32>(0.8, -0.8),
    );
    var c = array<vec3<f32>, 3>(
        vec3<f32>(1.0, 0.0, 0.0),
        vec3<f32>(0.0, 1.0, 0.0),
        vec3<f32>(0.0, 0.0, 1.0),
    );
    let clip = vec4<f32>(p[i], 0.0, 1.0);
    var out: VsOut;
    out.pos = vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, clip.z, clip.w);
    out.color = vec4<f32>(c[i], 1.0);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return in.color;
}
