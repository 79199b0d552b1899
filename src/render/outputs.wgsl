// Depth and world-position planes from a tile of the depth buffer: each
// pixel's depth is unprojected through the inverse view-projection into
// world coordinates, and its distance from the camera taken. NaN where
// nothing was drawn (the cleared depth, 1). `depth_tex` (binding 1) is
// declared before this file: a texture_depth_2d, or for multisampled
// targets a texture_depth_multisampled_2d whose sample 0 is read.

struct Unproject {
    // Inverse of the frame's view-projection (column-major).
    inv_view_proj: mat4x4<f32>,
    // The eye in homogeneous world coordinates (w = 0 for an orthographic
    // camera: then distances are from the near plane).
    eye: vec4<f32>,
    // Frame size, the band's first frame row and rows, and which planes to
    // write (bit 0: depth, bit 1: xyz).
    width: u32,
    height: u32,
    y0: u32,
    rows: u32,
    planes: u32,
    // The band's first row within the tile's depth texture.
    tile_row: u32,
    _pad: vec2<u32>,
};
@group(0) @binding(0) var<uniform> u: Unproject;
@group(0) @binding(2) var<storage, read_write> depth_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> xyz_out: array<f32>;

fn unproject(ndc: vec3<f32>) -> vec3<f32> {
    let p = u.inv_view_proj * vec4<f32>(ndc, 1.0);
    return p.xyz / p.w;
}

@compute @workgroup_size(64, 4)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= u.width || id.y >= u.rows) {
        return;
    }
    let d = textureLoad(depth_tex, vec2<u32>(id.x, u.tile_row + id.y), 0);
    let y = u.y0 + id.y;
    let nan = bitcast<f32>(0x7fc00000u);
    var dist = nan;
    var world = vec3<f32>(nan, nan, nan);
    if (d < 1.0) {
        let ndc_xy = vec2<f32>(
            (f32(id.x) + 0.5) / f32(u.width) * 2.0 - 1.0,
            1.0 - (f32(y) + 0.5) / f32(u.height) * 2.0,
        );
        world = unproject(vec3<f32>(ndc_xy, d));
        if (u.eye.w != 0.0) {
            dist = length(world - u.eye.xyz / u.eye.w);
        } else {
            dist = length(world - unproject(vec3<f32>(ndc_xy, 0.0)));
        }
    }
    // Indices within this band's rows.
    let i = id.y * u.width + id.x;
    if ((u.planes & 1u) != 0u) {
        depth_out[i] = dist;
    }
    if ((u.planes & 2u) != 0u) {
        xyz_out[3u * i] = world.x;
        xyz_out[3u * i + 1u] = world.y;
        xyz_out[3u * i + 2u] = world.z;
    }
}
