// Fills a tile of the color target with the frame's background, before a
// render pass that loads it: on GPUs whose few graphics units clear a
// target no faster than they draw it (an H100 clears about 7G pixels a
// second), every compute unit writes it instead.

@group(0) @binding(0) var color: texture_storage_2d<rgba8unorm, write>;
@group(0) @binding(1) var<uniform> background: vec4<f32>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
    let size = textureDimensions(color);
    if (g.x < size.x && g.y < size.y) {
        textureStore(color, vec2<i32>(g.xy), background);
    }
}
