// Heights in a texture array, one layer per upload band of `band_rows` rows,
// or per band and column tile of `tile_cols` columns when rows are wider
// than a texture may be (layer = band * tiles + tile).
@group(1) @binding(1) var heights: texture_2d_array<f32>;

fn height_at(c: vec2<i32>) -> f32 {
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let p = vec2<u32>(clamp(c, vec2<i32>(0, 0), m));
    let band = p.y / t.band_rows;
    let y = p.y - band * t.band_rows;
    let cols = u32(t.size.x);
    // Uniform across the draw, so the untiled case pays no division.
    if (t.tile_cols >= cols) {
        return textureLoad(heights, vec2<u32>(p.x, y), band, 0).r;
    }
    let tiles = (cols + t.tile_cols - 1u) / t.tile_cols;
    let tile = p.x / t.tile_cols;
    return textureLoad(heights, vec2<u32>(p.x - tile * t.tile_cols, y), band * tiles + tile, 0).r;
}
