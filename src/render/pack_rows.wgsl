// Packs an RGBA8 tile into a tightly packed buffer (4 bytes per pixel, no row
// padding), so readback needs no CPU un-padding pass for any width.

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64, 4)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let dims = textureDimensions(src);
    if (id.x >= dims.x || id.y >= dims.y) {
        return;
    }
    let c = textureLoad(src, vec2<i32>(id.xy), 0);
    // pack4x8unorm rounds exactly as the unorm store did: bytes round-trip.
    dst[id.y * dims.x + id.x] = pack4x8unorm(c);
}
