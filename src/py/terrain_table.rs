//! `Renderer.add_terrain_from_table`: a table's x, y, z rows gridded into
//! the renderer's terrain in one call. Binned on the GPU, the grid never
//! leaves it (see `table_terrain.rs`).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::camera::Geo;
use super::renderer::PyRenderer;
use super::table::{column_names, grid_info, grid_options, with_batches};
use crate::grid::{Agg, Columns, Fill};
use crate::memory::{DType, HostBuffer, Origin};
use crate::render::TerrainOptions;
use crate::Heightmap;

#[pymethods]
impl PyRenderer {
    /// Grid the x, y, z points of a table into this renderer's terrain (replacing any previous one).
    ///
    /// Args:
    ///     table, x, y, z, resolution, shape, bounds, agg, fill, threads, device:
    ///         as ``forge3d.arrow.terrain_from_table``, whose grid this is.
    ///     exaggeration, colormap, height_range, norm, levels: as ``add_terrain``.
    ///
    /// Returns ``terrain_from_table``'s info dict (``device`` says where the
    /// rows were binned).
    ///
    /// Binned on the GPU, the grid stays there: the GPU copies it into the
    /// height texture, with no readback and no CPU copy of the grid (the
    /// rows' one copy into upload memory is all the copy ledger holds).
    /// ``fill="nearest"`` grids with empty cells come back to be filled on
    /// the CPU, then go up once more. Binned on the CPU, the grid is
    /// uploaded as ``add_terrain`` uploads heights. The grid's cell size is
    /// the terrain's spacing, and ``look_at_geo`` takes the table's x, y
    /// (a grid kept on the GPU gives it heights back one cell at a time). Bad arguments
    /// raise as ``terrain_from_table`` and ``add_terrain`` do; a failed
    /// call leaves the previous terrain in place.
    ///
    /// Example::
    ///
    ///     r = forge3d.Renderer(1920, 1080)
    ///     info = r.add_terrain_from_table(df, shape=(4000, 4000), bounds=box, agg="max")
    ///     frame = r.render()
    #[pyo3(signature = (table, x=None, y=None, z=None, *, resolution=None, shape=None, bounds=None, agg=None, fill=None, threads=None, device=None, exaggeration=None, colormap=None, height_range=None, norm=None, levels=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_terrain_from_table<'py>(
        &self,
        py: Python<'py>,
        table: &Bound<'py, PyAny>,
        x: Option<&Bound<'py, PyAny>>,
        y: Option<&Bound<'py, PyAny>>,
        z: Option<&Bound<'py, PyAny>>,
        resolution: Option<&Bound<'py, PyAny>>,
        shape: Option<&Bound<'py, PyAny>>,
        bounds: Option<&Bound<'py, PyAny>>,
        agg: Option<&Bound<'py, PyAny>>,
        fill: Option<&Bound<'py, PyAny>>,
        threads: Option<&Bound<'py, PyAny>>,
        device: Option<&Bound<'py, PyAny>>,
        exaggeration: Option<&Bound<'py, PyAny>>,
        colormap: Option<&Bound<'py, PyAny>>,
        height_range: Option<&Bound<'py, PyAny>>,
        norm: Option<&Bound<'py, PyAny>>,
        levels: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let text = |v: Option<&Bound<'py, PyAny>>, default: &str| {
            v.cloned()
                .unwrap_or_else(|| PyString::new(py, default).into_any())
        };
        let (x, y, z) = column_names(&text(x, "x"), &text(y, "y"), &text(z, "z"))?;
        let o = grid_options(
            resolution,
            shape,
            bounds,
            &text(agg, "mean"),
            fill,
            threads,
            device,
        )?;
        let mut options = TerrainOptions::default();
        super::style::terrain_look(exaggeration, colormap, height_range, norm, levels)?
            .apply(&mut options);
        // pandas' NumPy columns are read in place (forge3d.arrow).
        let fast = py
            .import("forge3d.arrow")?
            .getattr("_pandas_numpy_columns")?
            .call1((table, (&x, &y, &z)))?;
        let table = if fast.is_none() { table } else { &fast };
        let cols = Columns {
            x: &x,
            y: &y,
            z: &z,
        };
        let r = self.inner.clone();
        let result = with_batches(table, |open| {
            crate::table_terrain::add_terrain_from_table(&r, open, &cols, &o, options)
        })?;
        let info = grid_info(py, &result)?;
        // The host's grid (when it came there) answers look_at_geo's
        // heights; a grid kept on the GPU gives them back one cell at a time.
        let filled_copy = o.agg != Agg::Count && o.fill == Fill::Nearest && result.empty_cells > 0;
        let origin = if result.gpu && !filled_copy {
            Origin::MappedReadback
        } else {
            Origin::Rust
        };
        let (spacing, at) = (result.spacing, result.origin);
        let (rows, cols_n) = (result.rows, result.cols);
        let map = match result.values {
            Some(values) => {
                let values = HostBuffer::new(values, vec![rows, cols_n], DType::F32, origin);
                Some(Heightmap::new(values, spacing, at, None)?)
            }
            None => None,
        };
        *self.geo.lock() = Some(Geo {
            origin: at,
            crs_spacing: spacing,
            spacing,
            nodata: None,
            map,
        });
        Ok(info)
    }
}
