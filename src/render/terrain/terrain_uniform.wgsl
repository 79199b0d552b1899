// The terrain's uniform: shared by the draw (terrain.wgsl), the relief
// passes (relief.wgsl) and the height readers (heights_*.wgsl).

struct Terrain {
    view_proj: mat4x4<f32>,
    // xyz: unit vector towards the sun; w unused.
    sun_dir: vec4<f32>,
    // Texels (cols, rows) of the height texture.
    size: vec2<f32>,
    // Grid cells (x, y) drawn.
    grid: vec2<f32>,
    // World units per texel (dx, dy).
    spacing: vec2<f32>,
    // Colormap normalisation: (min height, 1 / (max - min)).
    range: vec2<f32>,
    exaggeration: f32,
    ambient: f32,
    sun_intensity: f32,
    // Heights at or below this are holes (NaN or nodata in the input).
    hole_below: f32,
    // Rows per texture array layer (one layer per upload band).
    band_rows: u32,
    // 1: `range` is in ln(height).
    log_norm: u32,
    // Bin boundaries in `levels` (0: a continuous colormap).
    level_count: u32,
    // Columns per texture array layer (>= size.x: whole rows, one layer
    // per band; else each band is split into column tiles).
    tile_cols: u32,
    levels: array<vec4<f32>, 16>,
    // Contour lines: colour (alpha = opacity), spacing in height units (0:
    // none), width in pixels, every how many lines one is major (0: none).
    contour_color: vec4<f32>,
    contour_interval: f32,
    contour_width: f32,
    contour_major: u32,
    // 1: cast shadows from the sun-visibility texture.
    shadows: u32,
    // Ambient occlusion strength in [0, 1] (0: off).
    ao_strength: f32,
    // Overlays draped over the colormap, in the order added.
    overlay_count: u32,
    // 1: a water surface at `water_level`; 1: its colour darkens with depth.
    water_on: u32,
    water_shading: u32,
    // Water: colour (alpha = opacity), level (height units) and the depth
    // (height units) over which it darkens.
    water_color: vec4<f32>,
    water_level: f32,
    water_depth_scale: f32,
    // 1: side walls from the edge down to `base_z` (world units).
    base_on: u32,
    base_z: f32,
    base_color: vec4<f32>,
    // Per overlay: where it lies in texel coordinates (col0, row0, col1,
    // row1: the image's left, top, right and bottom edges).
    overlay_extent: array<vec4<f32>, 8>,
    // Per overlay: opacity, blend mode (0 over, 1 multiply, 2 screen), and
    // the image's width and height in pixels
    // (a uniform, not a texture query: a switch over eight textures in
    // the fragment shader made every terrain draw 50 % slower on NVIDIA).
    overlay_params: array<vec4<f32>, 8>,
    // The relief textures (sun visibility, occlusion): xy = 1 / (texels x
    // cells per texel) per axis, z = cells per texel (1 unless the heights
    // are larger than a texture may be), w unused.
    relief: vec4<f32>,
};
@group(1) @binding(0) var<uniform> t: Terrain;
