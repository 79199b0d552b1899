//! A table's rows into a renderer's terrain in one call: gridded as
//! [`crate::grid::grid_on`] grids them, on the renderer's own device. A grid
//! binned on the GPU stays there, laid out as the height texture's upload
//! memory would be, and the GPU alone copies it into the texture (no
//! readback, no CPU copy of the grid). The one place that joins `grid/` and
//! `render/`.

use crate::error::Result;
use crate::grid::gpu::Keep;
use crate::grid::{Agg, Batches, Columns, Fill, Grid, GridOptions, GridResult};
use crate::render::{gpu_layout, HeightsGpu, HeightsRef, TerrainOptions, GPU_HOLE};
use crate::Renderer;

/// Grids `open()`'s rows into `renderer`'s terrain, replacing any previous
/// one (a failure leaves it). The grid's spacing replaces
/// `options.spacing`. Returns the grid's facts, with its values when they
/// came to the host (binned on the CPU, or `fill="nearest"` with cells to
/// fill).
pub fn add_terrain_from_table<'a>(
    renderer: &Renderer,
    open: impl FnMut() -> Result<Batches<'a>>,
    c: &Columns<'_>,
    o: &GridOptions,
    mut options: TerrainOptions,
) -> Result<GridResult<Option<arrow_buffer::Buffer>>> {
    let ctx = renderer.context().clone();
    let keep = |rows: usize, cols: usize| -> Result<Keep> {
        let (pitch, rows) = gpu_layout(&ctx, rows, cols)?;
        Ok(Keep {
            pitch,
            rows,
            hole: GPU_HOLE,
        })
    };
    match crate::grid::grid_on(Some(ctx.clone()), open, c, o, Some(&keep))? {
        Grid::Gpu(r) => {
            options.spacing = (r.spacing.0 as f32, r.spacing.1 as f32);
            // Empty cells are holes unless filled (count's hold 0).
            let holes = if matches!(o.fill, Fill::Value(_)) || o.agg == Agg::Count {
                0
            } else {
                r.empty_cells
            };
            let heights = HeightsGpu {
                rows: r.rows,
                cols: r.cols,
                buffer: &r.values.buffer,
                pitch: r.values.pitch,
                range: r.values.range,
                holes,
            };
            renderer.add_terrain_on_gpu(heights, options)?;
            Ok(r.map_values(|_| None))
        }
        Grid::Host(r) => {
            options.spacing = (r.spacing.0 as f32, r.spacing.1 as f32);
            let heights = HeightsRef {
                data: r.values.typed_data(),
                rows: r.rows,
                cols: r.cols,
            };
            renderer.add_terrain(heights, options)?;
            Ok(r.map_values(Some))
        }
    }
}
