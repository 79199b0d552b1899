// The bounding box of `n` positions (xyz rows) already on the GPU, for
// positions written through mapped memory, which the CPU never reads.
// Floats are compared as order-preserving u32 keys, so min and max are
// plain atomics; non-finite values are skipped.

struct Params {
    n: u32,
    // Invocations in the whole dispatch (grid-stride loop).
    threads: u32,
    _pad: vec2<u32>,
};
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> positions: array<f32>;
// min x, y, z keys then max x, y, z keys.
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>, 6>;

var<workgroup> lo: array<atomic<u32>, 3>;
var<workgroup> hi: array<atomic<u32>, 3>;

fn key(f: f32) -> u32 {
    let b = bitcast<u32>(f);
    return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) li: u32) {
    if (li < 3u) {
        atomicStore(&lo[li], 0xffffffffu);
        atomicStore(&hi[li], 0u);
    }
    workgroupBarrier();
    var mn = vec3<u32>(0xffffffffu);
    var mx = vec3<u32>(0u);
    for (var i = id.x; i < p.n; i = i + p.threads) {
        let v = vec3<f32>(positions[i * 3u], positions[i * 3u + 1u], positions[i * 3u + 2u]);
        // Finite only: NaN fails every comparison, inf is past the bound.
        if (all(abs(v) <= vec3<f32>(3.4028235e38))) {
            let k = vec3<u32>(key(v.x), key(v.y), key(v.z));
            mn = min(mn, k);
            mx = max(mx, k);
        }
    }
    for (var c = 0u; c < 3u; c = c + 1u) {
        atomicMin(&lo[c], mn[c]);
        atomicMax(&hi[c], mx[c]);
    }
    workgroupBarrier();
    if (li < 3u) {
        atomicMin(&out[li], atomicLoad(&lo[li]));
        atomicMax(&out[3u + li], atomicLoad(&hi[li]));
    }
}
