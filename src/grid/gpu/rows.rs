//! The table's rows on the GPU: copied once into mapped upload memory,
//! then by the GPU into chunk buffers that the gridding passes bind.

use super::{Cells, Pipelines, MAX_GROUPS, MAX_ROWS, WORKGROUP};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::grid::{read_xyz, Agg, Batches, Columns};
use crate::memory::ledger;

/// Rows per chunk kept on the GPU: 8 MiB of x, 8 of y, and 4 of z (8 for
/// mean, which sums the heights as given).
pub const CHUNK_ROWS: usize = 1 << 20;
pub(super) const Y_AT: u64 = (CHUNK_ROWS * 8) as u64;
pub(super) const Z_AT: u64 = (CHUNK_ROWS * 16) as u64;

/// Bytes of one height on the GPU: float64 for mean, float32 otherwise.
pub(super) fn z_width(agg: Agg) -> usize {
    if agg == Agg::Mean {
        8
    } else {
        4
    }
}

pub(super) fn chunk_bytes(zw: usize) -> u64 {
    Z_AT + (CHUNK_ROWS * zw) as u64
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct ChunkParams {
    pub(super) count: u32,
    pub(super) first_row: u32,
    pub(super) stride: u32,
    pub(super) _pad: u32,
}

/// One chunk of rows on the GPU.
pub(super) struct RowChunk {
    pub(super) buffer: wgpu::Buffer,
    pub(super) params: wgpu::Buffer,
    pub(super) count: u32,
}

/// The table's rows on the GPU.
pub(super) struct Rows {
    pub(super) chunks: Vec<RowChunk>,
    /// Rows the stream gave (valid or not).
    pub(super) rows: usize,
}

/// Copies `x`, `y` (float64) and `z` (float64 when `zw` is 8, else to
/// float32) into a chunk's mapped bytes at row `at`, on up to `workers`
/// threads.
pub(super) fn write_rows(
    dst: &mut [u8],
    at: usize,
    [x, y, z]: [&[f64]; 3],
    zw: usize,
    workers: usize,
) {
    let n = x.len();
    let (xs, rest) = dst.split_at_mut(Y_AT as usize);
    let (ys, zs) = rest.split_at_mut((Z_AT - Y_AT) as usize);
    let xd = &mut xs[at * 8..(at + n) * 8];
    let yd = &mut ys[at * 8..(at + n) * 8];
    let zd = &mut zs[at * zw..(at + n) * zw];
    let part =
        move |xd: &mut [u8], yd: &mut [u8], zd: &mut [u8], x: &[f64], y: &[f64], z: &[f64]| {
            xd.copy_from_slice(bytemuck::cast_slice(x));
            yd.copy_from_slice(bytemuck::cast_slice(y));
            if zw == 8 {
                zd.copy_from_slice(bytemuck::cast_slice(z));
            } else {
                for (d, &v) in zd.chunks_exact_mut(4).zip(z) {
                    d.copy_from_slice(&(v as f32).to_ne_bytes());
                }
            }
        };
    let workers = workers.clamp(1, n.div_ceil(1 << 16).max(1));
    if workers == 1 {
        part(xd, yd, zd, x, y, z);
        return;
    }
    let per = n.div_ceil(workers);
    std::thread::scope(|s| {
        let parts = xd
            .chunks_mut(per * 8)
            .zip(yd.chunks_mut(per * 8))
            .zip(zd.chunks_mut(per * zw))
            .zip(x.chunks(per).zip(y.chunks(per)).zip(z.chunks(per)));
        for (((xd, yd), zd), ((x, y), z)) in parts {
            s.spawn(move || part(xd, yd, zd, x, y, z));
        }
    });
}

/// Reads every batch once, copying its rows into mapped upload memory that
/// the GPU copies into chunk buffers (the one CPU copy of the rows).
pub(super) fn upload(
    ctx: &GpuContext,
    batches: Batches<'_>,
    c: &Columns<'_>,
    zw: usize,
    workers: usize,
) -> Result<Rows> {
    let chunk_size = chunk_bytes(zw);
    let (mut sx, mut sy, mut sz) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Rows {
        chunks: Vec::new(),
        rows: 0,
    };
    let mut open: Option<(crate::gpu::alloc::upload::UploadChunk, usize)> = None;
    let flush = |chunk: crate::gpu::alloc::upload::UploadChunk,
                 filled: usize,
                 out: &mut Rows|
     -> Result<()> {
        let first_row = out.chunks.len() * CHUNK_ROWS;
        let buffer = ctx.scoped("keeping the table's rows on the GPU", || {
            ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("forge3d grid rows"),
                size: chunk_size,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        })?;
        let groups = (filled as u32).div_ceil(WORKGROUP).clamp(1, MAX_GROUPS);
        let params = ChunkParams {
            count: filled as u32,
            first_row: first_row as u32,
            stride: groups * WORKGROUP,
            _pad: 0,
        };
        let pbuf = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("forge3d grid chunk"),
            size: std::mem::size_of::<ChunkParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue
            .write_buffer(&pbuf, 0, bytemuck::bytes_of(&params));
        let f = filled as u64;
        ctx.upload_pool.submit_copy(&ctx.queue, chunk, |enc, src| {
            enc.copy_buffer_to_buffer(src, 0, &buffer, 0, f * 8);
            enc.copy_buffer_to_buffer(src, Y_AT, &buffer, Y_AT, f * 8);
            enc.copy_buffer_to_buffer(src, Z_AT, &buffer, Z_AT, f * zw as u64);
        });
        out.chunks.push(RowChunk {
            buffer,
            params: pbuf,
            count: filled as u32,
        });
        Ok(())
    };
    for batch in batches {
        let batch = batch?;
        let [x, y, z] = read_xyz(&batch, c, &mut sx, &mut sy, &mut sz)?;
        let n = x.len();
        if out.rows + n > MAX_ROWS {
            return Err(Error::InvalidArgument(format!(
                "table: more than {MAX_ROWS} rows, which is the most device=\"gpu\" grids in one \
                 call; pass device=\"cpu\" or grid the table in parts"
            )));
        }
        out.rows += n;
        let mut at = 0;
        while at < n {
            let (chunk, filled) = match open.as_mut() {
                Some(o) => o,
                None => open.insert((ctx.upload_pool.acquire(chunk_size)?, 0)),
            };
            let take = (CHUNK_ROWS - *filled).min(n - at);
            let part = [&x[at..at + take], &y[at..at + take], &z[at..at + take]];
            write_rows(chunk.as_mut_slice(), *filled, part, zw, workers);
            let why = "terrain_from_table(device=\"gpu\"): the rows into mapped upload memory";
            ledger::record("upload", take * 8, part[0].as_ptr().cast(), why);
            ledger::record("upload", take * 8, part[1].as_ptr().cast(), why);
            let z_op = if zw == 8 { "upload" } else { "convert" };
            ledger::record(z_op, take * 8, part[2].as_ptr().cast(), why);
            *filled += take;
            at += take;
            if *filled == CHUNK_ROWS {
                let (chunk, filled) = open.take().expect("open chunk");
                flush(chunk, filled, &mut out)?;
            }
        }
    }
    if let Some((chunk, filled)) = open.take() {
        flush(chunk, filled, &mut out)?;
    }
    Ok(out)
}

pub(super) fn bind_group(
    ctx: &GpuContext,
    pipes: &Pipelines,
    cells: &Cells,
    chunk: &RowChunk,
) -> wgpu::BindGroup {
    let part = |offset: u64, size: u64| {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &chunk.buffer,
            offset,
            size: wgpu::BufferSize::new(size),
        })
    };
    fn whole(b: &wgpu::Buffer) -> wgpu::BindingResource<'_> {
        b.as_entire_binding()
    }
    ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("forge3d grid"),
        layout: &pipes.layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: whole(&cells.params),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: whole(&chunk.params),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: part(0, Y_AT),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: part(Y_AT, Z_AT - Y_AT),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: part(Z_AT, chunk.buffer.size() - Z_AT),
            },
            wgpu::BindGroupEntry {
                binding: 5,
                resource: whole(&cells.acc32),
            },
            wgpu::BindGroupEntry {
                binding: 6,
                resource: whole(&cells.acc64),
            },
            wgpu::BindGroupEntry {
                binding: 7,
                resource: whole(&cells.stats),
            },
            wgpu::BindGroupEntry {
                binding: 8,
                resource: whole(&cells.out),
            },
            wgpu::BindGroupEntry {
                binding: 9,
                resource: whole(&cells.amax),
            },
        ],
    })
}
