// Shared by mesh.wgsl, wireframe.wgsl and points.wgsl (prepended to each):
// the tile transform of the render target and the per-draw uniform, whose
// layout is `DrawUniform` in pipeline.rs.

struct Tile {
    scale: vec2<f32>,
    offset: vec2<f32>,
};
@group(0) @binding(0) var<uniform> tile: Tile;

struct Draw {
    view_proj: mat4x4<f32>,
    // xyz: unit vector towards the sun.
    sun_dir: vec4<f32>,
    // Multiplies the vertex colors (white when the mesh has none).
    color: vec4<f32>,
    // Frame size in pixels.
    viewport: vec2<f32>,
    // Colormap normalisation: (min, 1 / (max - min)).
    scalar_range: vec2<f32>,
    ambient: f32,
    sun_intensity: f32,
    point_size: f32,
    // bit 0: color by scalars; bit 1: indexed (wireframe).
    flags: u32,
    // Vertices (points) drawn.
    count: u32,
};
@group(1) @binding(0) var<uniform> d: Draw;
@group(1) @binding(1) var lut: texture_2d<f32>;

