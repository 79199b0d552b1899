// Triangle edges as lines, pulled from the position (and index) buffers by
// vertex index: no edge list is built on the CPU.

// (Tile, Draw, d and lut come from draw.wgsl.)

@group(1) @binding(2) var<storage, read> positions: array<f32>;
@group(1) @binding(3) var<storage, read> indices: array<u32>;

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4<f32> {
    // Two line vertices per edge, three edges per triangle.
    let edge = vi / 2u;
    let corner = (edge % 3u + (vi & 1u)) % 3u;
    var index = (edge / 3u) * 3u + corner;
    if ((d.flags & 2u) != 0u) {
        index = indices[index];
    }
    let p = vec3<f32>(positions[index * 3u], positions[index * 3u + 1u], positions[index * 3u + 2u]);
    let clip = d.view_proj * vec4<f32>(p, 1.0);
    // Pulled slightly towards the camera so edges win over their own faces.
    let z = clip.z - 1e-4 * clip.w;
    return vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, z, clip.w);
}

@fragment
fn fs_main() -> @location(0) vec4<f32> {
    return vec4<f32>(d.color.rgb, 1.0);
}
