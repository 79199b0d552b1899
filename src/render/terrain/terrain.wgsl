// Terrain from a height grid: grid vertices are generated from the vertex
// index on a (possibly decimated) grid; color and normals come per pixel from
// the full-resolution heights.

struct Tile {
    scale: vec2<f32>,
    offset: vec2<f32>,
};
@group(0) @binding(0) var<uniform> tile: Tile;

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
};
@group(1) @binding(0) var<uniform> t: Terrain;
// Binding 1 (the heights) and `height_at` come from heights_texture.wgsl or
// heights_buffer.wgsl, appended to this file.
@group(1) @binding(2) var lut: texture_2d<f32>;

struct VsOut {
    @builtin(position) pos: vec4<f32>,
    // Continuous (col, row) texel coordinates.
    @location(0) texel: vec2<f32>,
    @location(1) hole: f32,
};

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> VsOut {
    let gw = u32(t.grid.x);
    let i = vi % (gw + 1u);
    let j = vi / (gw + 1u);
    let col = round(f32(i) * (t.size.x - 1.0) / t.grid.x);
    let row = round(f32(j) * (t.size.y - 1.0) / t.grid.y);
    let h = height_at(vec2<i32>(i32(col), i32(row)));
    let hole = h <= t.hole_below;
    let z = select(h, t.range.x, hole) * t.exaggeration;
    let world = vec4<f32>(col * t.spacing.x, (t.size.y - 1.0 - row) * t.spacing.y, z, 1.0);
    let clip = t.view_proj * world;
    var out: VsOut;
    out.pos = vec4<f32>(clip.xy * tile.scale + tile.offset * clip.w, clip.z, clip.w);
    out.texel = vec2<f32>(col, row);
    out.hole = select(0.0, 1.0, hole);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if (in.hole > 0.0) {
        discard;
    }
    let c = clamp(in.texel, vec2<f32>(0.0, 0.0), t.size - vec2<f32>(1.0, 1.0));
    // The four texels around c; the nearest one is among them.
    let base = vec2<i32>(floor(c));
    let f = c - floor(c);
    let h00 = height_at(base);
    let h10 = height_at(base + vec2<i32>(1, 0));
    let h01 = height_at(base + vec2<i32>(0, 1));
    let h11 = height_at(base + vec2<i32>(1, 1));
    let nearest = vec2<i32>(round(c));
    // Which corner is nearest (0 or 1 per axis).
    let near = (nearest - base) == vec2<i32>(1, 1);
    let hn = select(select(h00, h10, near.x), select(h01, h11, near.x), near.y);
    if (hn <= t.hole_below) {
        discard;
    }
    // Bilinear height where all four neighbours are valid, else nearest.
    var h = hn;
    if (min(min(h00, h10), min(h01, h11)) > t.hole_below) {
        h = mix(mix(h00, h10, f.x), mix(h01, h11, f.x), f.y);
    }

    // Central differences on the full-resolution grid; holes count as flat.
    // Of the four neighbours of the nearest texel, one per axis is a corner
    // read above (height_at clamps at the edges as l, r, u, d do); the
    // other is read here.
    let m = vec2<i32>(t.size) - vec2<i32>(1, 1);
    let l = max(nearest.x - 1, 0);
    let r = min(nearest.x + 1, m.x);
    let u = max(nearest.y - 1, 0);
    let d = min(nearest.y + 1, m.y);
    let across_x = select(select(h10, h11, near.y), select(h00, h01, near.y), near.x);
    let across_y = select(select(h01, h11, near.x), select(h00, h10, near.x), near.y);
    let other_x = height_at(vec2<i32>(select(l, r, near.x), nearest.y));
    let other_y = height_at(vec2<i32>(nearest.x, select(u, d, near.y)));
    var hl = select(other_x, across_x, near.x);
    var hr = select(across_x, other_x, near.x);
    var hu = select(other_y, across_y, near.y);
    var hd = select(across_y, other_y, near.y);
    hl = select(hl, hn, hl <= t.hole_below);
    hr = select(hr, hn, hr <= t.hole_below);
    hu = select(hu, hn, hu <= t.hole_below);
    hd = select(hd, hn, hd <= t.hole_below);
    let dzdx = (hr - hl) * t.exaggeration / (max(f32(r - l), 1.0) * t.spacing.x);
    // +y in world is towards row 0.
    let dzdy = (hu - hd) * t.exaggeration / (max(f32(d - u), 1.0) * t.spacing.y);
    let n = normalize(vec3<f32>(-dzdx, -dzdy, 1.0));
    let lambert = max(dot(n, t.sun_dir.xyz), 0.0);
    let shade = clamp(t.ambient + t.sun_intensity * lambert, 0.0, 1.0);

    let s = clamp((h - t.range.x) * t.range.y, 0.0, 1.0);
    let color = textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0);
    return vec4<f32>(color.rgb * shade, 1.0);
}
