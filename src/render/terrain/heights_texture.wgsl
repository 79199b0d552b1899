// Heights in a texture array, one layer per upload band of `band_rows` rows.
@group(1) @binding(1) var heights: texture_2d_array<f32>;

fn height_at(c: vec2<i32>) -> f32 {
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let p = vec2<u32>(clamp(c, vec2<i32>(0, 0), m));
    return textureLoad(heights, vec2<u32>(p.x, p.y % t.band_rows), p.y / t.band_rows, 0).r;
}
