// Point sets: one screen-aligned disc of `point_size` pixels per point,
// positions and colors read per instance; unlit.

// (Tile, Draw, d and lut come from draw.wgsl.)

struct VsIn {
    @location(0) position: vec3<f32>,
    @location(1) color: vec4<f32>,
    @location(2) scalar: f32,
};

struct VsOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) corner: vec2<f32>,
    @location(1) color: vec4<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, v: VsIn) -> VsOut {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, 1.0), vec2<f32>(-1.0, 1.0),
    );
    let c = corners[vi % 6u];
    let center = d.view_proj * vec4<f32>(v.position, 1.0);
    // Half the size in NDC is size / viewport; scale by w to stay in clip space.
    let xy = center.xy + c * d.point_size / d.viewport * center.w;
    var out: VsOut;
    out.clip = vec4<f32>(xy * tile.scale + tile.offset * center.w, center.z, center.w);
    out.corner = c;
    var color = v.color * d.color;
    if ((d.flags & 1u) != 0u) {
        let s = clamp((v.scalar - d.scalar_range.x) * d.scalar_range.y, 0.0, 1.0);
        color = textureLoad(lut, vec2<i32>(i32(round(s * 255.0)), 0), 0);
    }
    out.color = color;
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    if (dot(in.corner, in.corner) > 1.0) {
        discard;
    }
    return vec4<f32>(in.color.rgb, 1.0);
}
