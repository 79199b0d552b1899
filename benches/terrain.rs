//! Terrain: one-copy height upload and render + readback.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use forge3d::render::{HeightsRef, TerrainOptions};
use forge3d::Renderer;

fn dem(n: usize) -> Vec<f32> {
    (0..n * n)
        .map(|i| {
            let (y, x) = ((i / n) as f32 / n as f32, (i % n) as f32 / n as f32);
            300.0 * (6.0 * x).sin() * (4.0 * y).cos() + 100.0 * (20.0 * x * y).sin()
        })
        .collect()
}

fn upload(c: &mut Criterion) {
    let n = 4096;
    let h = dem(n);
    let r = Renderer::new(512, 512).expect("a GPU adapter");
    let heights = HeightsRef {
        data: &h,
        rows: n,
        cols: n,
    };
    r.add_terrain(heights, TerrainOptions::default()).unwrap();
    let mut dst = vec![0f32; n * n];
    let mut group = c.benchmark_group("terrain_upload_4096");
    group.sample_size(10);
    group.throughput(Throughput::Bytes((n * n * 4) as u64));
    group.bench_function("memcpy", |b| {
        b.iter(|| dst.copy_from_slice(std::hint::black_box(&h)))
    });
    group.bench_function("add_terrain", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                // The GPU-side copy is asynchronous; time the call alone.
                r.context().synchronize().unwrap();
                let t = std::time::Instant::now();
                r.add_terrain(heights, TerrainOptions::default()).unwrap();
                total += t.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let n = 2048;
    let h = dem(n);
    let mut group = c.benchmark_group("render_terrain_readback");
    group.sample_size(10);
    for size in [512u32, 1024, 4096] {
        let r = Renderer::new(size, size).expect("a GPU adapter");
        r.add_terrain(
            HeightsRef {
                data: &h,
                rows: n,
                cols: n,
            },
            TerrainOptions::default(),
        )
        .unwrap();
        drop(r.render_terrain().unwrap());
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| {
                let f = r.render_terrain().unwrap();
                std::hint::black_box(f.as_bytes()[f.as_bytes().len() / 2]);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, upload, render);
criterion_main!(benches);
