// Point sets: one screen-aligned disc of `point_size` pixels per point,
// unlit. One triangle per point (three vertices, pulled from storage
// buffers by vertex index), circumscribing the disc; the fragment shader
// cuts the disc out. A quad would be two triangles and six vertices: on
// GPUs whose geometry rate is the limit (the H200 draws about 180M small
// triangles a second), one triangle draws points twice as fast, and the
// pixels kept are the same (the disc test does not depend on which
// triangle covers a pixel). One vertex entry point per color source, each without branches:
// llvmpipe (Mesa 22) leaked memory on every draw of a point shader that
// chose its color source at run time, and with per-instance vertex buffers.

// (Tile, Draw, d and lut come from draw.wgsl.)

@group(1) @binding(2) var<storage, read> positions: array<f32>;
// Float colors as 4 bitcast floats per point, or one packed RGBA8 word.
@group(1) @binding(4) var<storage, read> colors: array<u32>;
@group(1) @binding(5) var<storage, read> scalars: array<f32>;

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) corner: vec2<f32>,
    @location(1) color: vec4<f32>,
};

fn corner_of(vi: u32) -> vec2<f32> {
    // The equilateral triangle around the unit circle: (0, 2), (-sqrt 3, -1),
    // (sqrt 3, -1), counter-clockwise.
    let k = vi % 3u;
    return vec2<f32>(
        select(select(0.0, -1.7320508, k == 1u), 1.7320508, k == 2u),
        select(-1.0, 2.0, k == 0u),
    );
}

fn point_vertex(vi: u32, color: vec4<f32>) -> VsOut {
    let i = vi / 3u;
    let c = corner_of(vi);
    let p = vec3<f32>(positions[i * 3u], positions[i * 3u + 1u], positions[i * 3u + 2u]);
    let center = d.view_proj * vec4<f32>(p, 1.0);
    // Half the size in NDC is size / viewport; scale by w to stay in clip space.
    let xy = center.xy + c * d.point_size / d.viewport * center.w;
    var out: VsOut;
    out.clip = vec4<f32>(xy * tile.scale + tile.offset * center.w, center.z, center.w);
    out.corner = c;
    out.color = color;
    return out;
}

@vertex
fn vs_plain(@builtin(vertex_index) vi: u32) -> VsOut {
    return point_vertex(vi, d.color);
}

@vertex
fn vs_rgba8(@builtin(vertex_index) vi: u32) -> VsOut {
    let w = colors[vi / 3u];
    let rgba = vec4<f32>(
        f32(w & 255u), f32((w >> 8u) & 255u), f32((w >> 16u) & 255u), f32(w >> 24u),
    ) / 255.0;
    return point_vertex(vi, rgba * d.color);
}

@vertex
fn vs_rgba32f(@builtin(vertex_index) vi: u32) -> VsOut {
    let k = (vi / 3u) * 4u;
    let rgba = vec4<f32>(
        bitcast<f32>(colors[k]), bitcast<f32>(colors[k + 1u]),
        bitcast<f32>(colors[k + 2u]), bitcast<f32>(colors[k + 3u]),
    );
    return point_vertex(vi, rgba * d.color);
}

@vertex
fn vs_scalars(@builtin(vertex_index) vi: u32) -> VsOut {
    let s = clamp((scalars[vi / 3u] - d.scalar_range.x) * d.scalar_range.y, 0.0, 1.0);
    return point_vertex(vi, textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0));
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if (dot(in.corner, in.corner) > 1.0) {
        discard;
    }
    return vec4<f32>(in.color.rgb, 1.0);
}
