// Column planes (one per component, `rows` floats each) into rows of
// `comps` interleaved floats: DataFrame columns become a vertex buffer
// without a CPU interleaving pass.

struct Params {
    rows: u32,
    comps: u32,
    // Invocations per dispatch row (x groups * workgroup size).
    row_stride: u32,
    _pad: u32,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> planes: array<f32>;
@group(0) @binding(2) var<storage, read_write> rows: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x + id.y * p.row_stride;
    if (i >= p.rows) {
        return;
    }
    for (var c = 0u; c < p.comps; c = c + 1u) {
        rows[i * p.comps + c] = planes[c * p.rows + i];
    }
}
