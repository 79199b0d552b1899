//! `forge3d.Renderer`: argument checking and GIL release around the core
//! renderer. Over 500 lines for a reason: pyo3 takes one `#[pymethods]`
//! block per class, so every method of `Renderer` is here, and about 150
//! lines are its runtime docstrings (written from the stub by
//! python/tools/sync_docstrings.py); the work each method does lives in
//! the core or in the py/ readers it calls.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use super::args;
use super::frame::PyFrame;
use super::heightmap::{nodata_value, PyHeightmap};
use super::heights_in;
use super::style::{colormap_arg, mesh_style, pixel_count, rgba, COLORMAP, STYLE};
use crate::render::{Camera, HeightsRef, TerrainOptions};
use crate::Renderer;

/// An offscreen renderer of a fixed size on the shared GPU context.
///
/// Args:
///     width, height: image size in pixels, integers in 1..max_texture_dimension
///         (see ``device_info()``). Other types raise TypeError, sizes out of
///         range ValueError.
///     background: clear color, 3 or 4 integers 0..255 (default (20, 22, 28, 255)).
///
/// What it draws is its scene: an ordered list of layers (a terrain, meshes
/// and point sets), drawn by one call, ``render()``, which returns a
/// ``Frame``; ``frame.to_numpy()``, ``frame.to_png(path)`` and the Arrow /
/// DLPack exports read it without copies. The older ``render_*_rgba`` /
/// ``render_*_png`` / ``render_*_frame`` names are aliases.
///
/// Example::
///
///     r = forge3d.Renderer(640, 480)
///     r.add_terrain(heights)
///     frame = r.render()
///     rgba = frame.to_numpy()           # (480, 640, 4) uint8; rgba.base is the Frame
///     frame.to_png("terrain.png")
#[pyclass(name = "Renderer", module = "forge3d._forge3d", frozen)]
pub struct PyRenderer {
    pub(super) inner: Arc<Renderer>,
    /// The georeferenced heightmap of the terrain (when one was given), for
    /// `look_at_geo`; shares the heightmap's memory.
    pub(super) geo: parking_lot::Mutex<Option<super::camera::Geo>>,
}

#[pymethods]
impl PyRenderer {
    #[new]
    #[pyo3(signature = (width, height, *, background=None))]
    fn new(
        py: Python<'_>,
        width: &Bound<'_, PyAny>,
        height: &Bound<'_, PyAny>,
        background: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let w = pixel_count("width", width)?;
        let h = pixel_count("height", height)?;
        let bg = background.map(|b| rgba("background", b)).transpose()?;
        let renderer = py.detach(|| Renderer::new(w, h))?;
        if let Some(bg) = bg {
            renderer.set_background(bg);
        }
        Ok(Self {
            inner: Arc::new(renderer),
            geo: parking_lot::Mutex::new(None),
        })
    }

    /// Image width in pixels.
    #[getter]
    fn width(&self) -> u32 {
        self.inner.width()
    }
    /// Image height in pixels.
    #[getter]
    fn height(&self) -> u32 {
        self.inner.height()
    }
    /// Clear color as (r, g, b, a) integers 0..255. Settable (3 or 4 components).
    #[getter]
    fn get_background(&self) -> (u8, u8, u8, u8) {
        let [r, g, b, a] = self.inner.background();
        (r, g, b, a)
    }
    #[setter]
    fn set_background(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_background(rgba("background", value)?);
        Ok(())
    }

    /// Render the test triangle alone (the scene is not drawn); returns the Frame.
    fn render_triangle_frame(&self, py: Python<'_>) -> PyResult<PyFrame> {
        let r = self.inner.clone();
        let frame = py.detach(move || r.render_triangle())?;
        Ok(PyFrame::new(frame))
    }

    /// ``render_triangle_frame().to_numpy()``: a (height, width, 4) uint8 C-contiguous,
    /// writable array whose memory is the Frame's (``arr.base``). Zero CPU copies.
    fn render_triangle_rgba<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.render_triangle_frame(py)?;
        super::frame::to_numpy(Bound::new(py, frame)?)
    }

    /// ``render_triangle_frame().to_png(path)``.
    fn render_triangle_png(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let r = self.inner.clone();
        Ok(py.detach(move || r.render_triangle()?.save_png(&path))?)
    }

    /// Upload a 2-D height grid as this renderer's terrain (replacing any previous one).
    ///
    /// Args:
    ///     heights: (rows, cols) array, at least 2x2 (larger than the device's
    ///         textures is fine: they are split into tiles of texture layers
    ///         and drawn as one surface; on a CPU adapter no larger than
    ///         the host memory available, MemoryError otherwise), a Heightmap (whose spacing and
    ///         nodata are the defaults; ``forge3d.open_dem`` reads one from
    ///         a GeoTIFF), or a 2-D ``xarray.DataArray`` (read by
    ///         ``Heightmap.from_xarray``). Row 0 is north (top in the
    ///         default and top-down views).
    ///     spacing: world units between columns and rows, (dx, dy) or one
    ///         number (default (1.0, 1.0)); finite and positive.
    ///     exaggeration: vertical scale, finite and positive.
    ///     colormap: viridis, magma, terrain or gray (append _r to reverse;
    ///         no matplotlib needed), any matplotlib colormap by name or
    ///         ``Colormap`` object, or an (N, 3) / (N, 4) array of colours
    ///         (uint8, or floats in [0, 1]) read as N equal bins.
    ///     height_range: (min, max) heights mapped to the colormap ends;
    ///         default: the data's min and max, ignoring holes.
    ///     nodata: sentinel marking holes (e.g. -32768, -9999); NaN always does,
    ///         and so do the masked cells of a ``np.ma`` masked array.
    ///         Holes are not drawn.
    ///     shape: (rows, cols) of a flat Arrow column (pyarrow, Polars,
    ///         pandas, DuckDB, ...); Arrow input is described in forge3d.arrow.
    ///     copy: NumPy 2 convention: None borrows when possible, False raises
    ///         ValueError if a conversion would be needed, True always copies.
    ///     norm, levels: how heights map to the colormap (``"log"``, or bin
    ///         boundaries); see ``set_color_scale``.
    ///
    /// Copies: float32 C-contiguous input is read straight from your memory
    /// into GPU upload memory (one CPU copy, ``upload`` in the ledger, source
    /// pointer = ``heights.ctypes.data``). Other dtypes and layouts are first
    /// converted once (``convert``), then uploaded. Your array is never
    /// modified. Raises ValueError/TypeError naming the argument for bad
    /// input (wrong ndim or dtype, +-inf heights, all holes, bad spacing,
    /// ...); a failed call leaves the previous terrain in place.
    ///
    /// Example::
    ///
    ///     r = forge3d.Renderer(1280, 720)
    ///     r.add_terrain(dem, spacing=(30.0, 30.0), exaggeration=2.0, nodata=-32768)
    ///     rgba = r.render_terrain_rgba()
    #[pyo3(signature = (heights, spacing=None, exaggeration=None, *, colormap=None, height_range=None, nodata=None, shape=None, copy=None, norm=None, levels=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_terrain(
        &self,
        py: Python<'_>,
        heights: &Bound<'_, PyAny>,
        spacing: Option<&Bound<'_, PyAny>>,
        exaggeration: Option<&Bound<'_, PyAny>>,
        colormap: Option<&Bound<'_, PyAny>>,
        height_range: Option<&Bound<'_, PyAny>>,
        nodata: Option<&Bound<'_, PyAny>>,
        shape: Option<&Bound<'_, PyAny>>,
        copy: Option<&Bound<'_, PyAny>>,
        norm: Option<&Bound<'_, PyAny>>,
        levels: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let look = super::style::terrain_look(exaggeration, colormap, height_range, norm, levels)?;
        let copy = args::opt_flag("copy", copy)?;
        let converted;
        let heights = match super::camera::from_xarray(heights, copy)? {
            Some(hm) => {
                converted = hm;
                &converted
            }
            None => heights,
        };
        // A dask-backed DataArray: its chunks are written into upload memory.
        let filled = heights.cast::<PyHeightmap>().is_err() && heights.hasattr("_forge3d_fill")?;
        let nodata = args::opt_real("nodata", nodata)?;
        let shape = args::opt_shape("shape", shape)?;
        let geo = match heights.cast::<PyHeightmap>() {
            Ok(hm) => Some(super::camera::Geo::of(hm.get())),
            Err(_) if filled => Some(super::camera::Geo::without_values(heights)?),
            Err(_) => None,
        };
        let mut geo = geo;
        let mut options = match &geo {
            Some(g) => g.terrain_options(),
            None => TerrainOptions::default(),
        };
        if let Some(s) = spacing {
            let (dx, dy) = args::one_or_pair("spacing", s)?;
            options.spacing = (dx as f32, dy as f32);
            // Drawn at this spacing: look_at_geo maps to it.
            if let Some(g) = &mut geo {
                g.spacing = (dx, dy);
            }
        }
        look.apply(&mut options);
        if nodata.is_some() {
            options.nodata = nodata_value(nodata)?;
        }
        if filled {
            let (rows, cols): (usize, usize) = heights.getattr("shape")?.extract()?;
            let fill = heights.getattr("_forge3d_fill")?;
            super::terrain_fill::add_terrain_filled(&self.inner, &fill, rows, cols, options)?;
            *self.geo.lock() = geo;
            return Ok(());
        }
        let r = &self.inner;
        let data = heights_in::heights("heights", heights, shape, copy, &|rows, cols| {
            r.check_terrain_shape(rows, cols)
        })?;
        let (rows, cols) = data.rows_cols();
        let r = self.inner.clone();
        let slice = data.as_f32();
        py.detach(move || {
            r.add_terrain(
                HeightsRef {
                    data: slice,
                    rows,
                    cols,
                },
                options,
            )
        })?;
        *self.geo.lock() = geo;
        Ok(())
    }

    /// Aims the orbit camera (``set_camera_orbit``) at the point (x, y)
    /// given in the terrain heightmap's CRS (the terrain must come from a
    /// Heightmap, ``open_dem``, a DataArray or ``add_terrain_from_table``),
    /// computed in float64 so that projected coordinates in the millions
    /// keep their precision. ``z`` (height units) defaults to the nearest
    /// cell's height (copied back from the GPU, one cell, where the host
    /// keeps no heights: dask-backed DataArrays, grids kept on the GPU); the world
    /// target (x, y, z * exaggeration) is returned. A point outside the
    /// terrain or over a hole needs ``z``.
    #[pyo3(signature = (x, y, z=None, *, azimuth_deg=None, elevation_deg=None, distance=None, fovy_deg=None, zoom=None))]
    #[allow(clippy::too_many_arguments)]
    fn look_at_geo(
        &self,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        z: Option<&Bound<'_, PyAny>>,
        azimuth_deg: Option<&Bound<'_, PyAny>>,
        elevation_deg: Option<&Bound<'_, PyAny>>,
        distance: Option<&Bound<'_, PyAny>>,
        fovy_deg: Option<&Bound<'_, PyAny>>,
        zoom: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(f64, f64, f64)> {
        let geo = self.geo.lock().clone();
        let exaggeration = self.inner.terrain_options().map(|o| o.exaggeration).ok();
        let target = super::camera::geo_target(&self.inner, geo.as_ref(), exaggeration, x, y, z)?;
        let t = (target[0], target[1], target[2]);
        let t = pyo3::types::PyTuple::new(x.py(), [t.0, t.1, t.2])?;
        let o = super::camera::orbit(
            azimuth_deg,
            elevation_deg,
            distance,
            Some(t.as_any()),
            fovy_deg,
            zoom,
        )?;
        self.inner.set_camera(Camera::Orbit(o))?;
        Ok((target[0], target[1], target[2]))
    }

    /// spacing, exaggeration, colormap, height_range (in effect), data_range, holes, nodata,
    /// heights_memory ("texture", or "buffer": a host-mapped storage buffer, the default on
    /// CPU adapters; FORGE3D_TERRAIN_HEIGHTS chooses), heights_tiles ((bands of rows, column
    /// tiles) the heights are split into on the GPU: column tiles only when rows are wider
    /// than the device's textures), relief_cells_per_texel (1, or more when the heights are
    /// larger than a texture: shadows and occlusion are then computed per block of cells),
    /// norm, levels, contours
    /// (interval, major_every, color, width_px), shadows (softness), ambient_occlusion
    /// (strength, radius), water (level, color, depth_shading), base (depth, color); each
    /// None when off. relief_passes: (shadow, occlusion) passes computed since each was
    /// turned on (they run only when the sun or their settings change; turned off, their
    /// texture is freed). grid: (columns, rows) of grid cells
    /// drawn (``set_terrain_detail``). Look settings belong to the terrain:
    /// ``add_terrain`` starts afresh.
    fn terrain_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let stats = self.inner.terrain_stats()?;
        let o = self.inner.terrain_options()?;
        let d = pyo3::types::PyDict::new(py);
        super::terrain_look::look_info(&d, &o)?;
        d.set_item("relief_passes", self.inner.terrain_relief_runs()?)?;
        d.set_item("grid", self.inner.terrain_grid()?)?;
        d.set_item("spacing", o.spacing)?;
        d.set_item("exaggeration", o.exaggeration)?;
        d.set_item("colormap", o.colormap)?;
        d.set_item(
            "height_range",
            o.height_range.unwrap_or((stats.min, stats.max)),
        )?;
        d.set_item("data_range", (stats.min, stats.max))?;
        d.set_item("holes", stats.holes)?;
        d.set_item("nodata", o.nodata)?;
        d.set_item("heights_memory", self.inner.terrain_heights_memory()?)?;
        let (tiles, stride) = self.inner.terrain_tiling()?;
        d.set_item("heights_tiles", tiles)?;
        d.set_item("relief_cells_per_texel", stride)?;
        d.set_item("norm", o.norm.name())?;
        d.set_item("levels", o.levels.clone())?;
        d.set_item(
            "contours",
            o.contours
                .map(|c| (c.interval, c.major_every, c.color, c.width_px)),
        )?;
        Ok(d)
    }

    /// A colormap as ``add_terrain`` takes it: a built-in or matplotlib name, a
    /// matplotlib ``Colormap`` or an array of colours; ValueError/TypeError otherwise.
    fn set_colormap(&self, name: &Bound<'_, PyAny>) -> PyResult<()> {
        let name = colormap_arg("name", Some(name))?.ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!("name must be {COLORMAP}, got None"))
        })?;
        Ok(self.inner.set_colormap(&name)?)
    }

    /// Contour lines of the terrain every ``interval`` height units (in
    /// the heights' own units, before exaggeration), drawn in the shader on
    /// the bilinear height at a constant width of ``width_px`` pixels (in
    /// (0, 32]), anti-aliased, in oblique and top-down views alike; every
    /// ``major_every``-th line (0: none) is twice as wide. ``color`` is 3 or
    /// 4 floats in [0, 1], alpha the opacity. ``None`` removes the lines.
    /// Needs a terrain; on error nothing changes.
    #[pyo3(signature = (interval, *, major_every=None, color=None, width_px=None))]
    fn set_contours(
        &self,
        interval: &Bound<'_, PyAny>,
        major_every: Option<&Bound<'_, PyAny>>,
        color: Option<&Bound<'_, PyAny>>,
        width_px: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let contours = super::style::contours(interval, major_every, color, width_px)?;
        Ok(self.inner.set_contours(contours)?)
    }

    /// How heights map to the colormap: ``norm="linear"`` (default) or
    /// ``"log"`` over the height range (which must then be positive; heights
    /// at or below zero take the low end), or discrete bins between
    /// ``levels`` (2 to 64 strictly increasing boundaries; bin i, between
    /// ``levels[i]`` and ``levels[i + 1]``, takes the colour at the middle of
    /// the colormap's i-th of ``len(levels) - 1`` equal slices; heights
    /// outside take the end bins). Also keywords of ``add_terrain``; on error
    /// nothing changes.
    #[pyo3(signature = (norm=None, levels=None))]
    fn set_color_scale(
        &self,
        norm: Option<&Bound<'_, PyAny>>,
        levels: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (norm, levels) = super::style::color_scale(norm, levels)?;
        Ok(self.inner.set_color_scale(norm, levels)?)
    }

    /// Heights min..max map to the colormap ends (finite, min < max).
    fn set_height_range(&self, min: &Bound<'_, PyAny>, max: &Bound<'_, PyAny>) -> PyResult<()> {
        let (min, max) = (args::real("min", min)?, args::real("max", max)?);
        Ok(self
            .inner
            .set_height_range(Some((min as f32, max as f32)))?)
    }

    /// Back to the data's own min and max.
    fn reset_height_range(&self) -> PyResult<()> {
        Ok(self.inner.set_height_range(None)?)
    }

    /// Sun direction: degrees clockwise from north, degrees above the horizon (-90..90).
    #[pyo3(signature = (azimuth_deg, elevation_deg, intensity=None))]
    fn set_sun(
        &self,
        azimuth_deg: &Bound<'_, PyAny>,
        elevation_deg: &Bound<'_, PyAny>,
        intensity: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let azimuth_deg = args::real("azimuth_deg", azimuth_deg)?;
        let elevation_deg = args::real("elevation_deg", elevation_deg)?;
        let intensity = args::opt_real("intensity", intensity)?;
        let mut l = self.inner.lighting();
        l.azimuth_deg = azimuth_deg as f32;
        l.elevation_deg = elevation_deg as f32;
        if let Some(i) = intensity {
            l.intensity = i as f32;
        }
        Ok(self.inner.set_lighting(l)?)
    }

    /// Ambient light in [0, 1]. ``set_sun(..., intensity=0)`` with ambient 1 renders unlit colors.
    fn set_ambient(&self, ambient: &Bound<'_, PyAny>) -> PyResult<()> {
        let ambient = args::real("ambient", ambient)?;
        let mut l = self.inner.lighting();
        l.ambient = ambient as f32;
        Ok(self.inner.set_lighting(l)?)
    }

    /// 1 (off) or 4 samples per pixel.
    fn set_msaa(&self, samples: &Bound<'_, PyAny>) -> PyResult<()> {
        let samples = args::int_in("samples", samples, 1, 4)? as u32;
        Ok(self.inner.set_msaa(samples)?)
    }

    /// Alias of ``render()`` that raises RuntimeError before add_terrain.
    fn render_terrain_frame(&self, py: Python<'_>) -> PyResult<PyFrame> {
        let r = self.inner.clone();
        let frame = py.detach(move || r.render_terrain())?;
        Ok(PyFrame::new(frame))
    }

    /// Alias of ``render().to_numpy()`` that raises RuntimeError before add_terrain.
    fn render_terrain_rgba<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.render_terrain_frame(py)?;
        super::frame::to_numpy(Bound::new(py, frame)?)
    }

    /// Alias of ``render().to_png(path)`` that raises RuntimeError before add_terrain.
    fn render_terrain_png(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let r = self.inner.clone();
        Ok(py.detach(move || r.render_terrain()?.save_png(&path))?)
    }

    /// Add a Mesh or Points to the scene; returns its id.
    ///
    /// style: a :class:`MeshStyle` (``MeshStyle.points(size=3)``; then no
    /// other keyword), or its kind's name with keywords: "surface" (default for Mesh: lit, ``color`` multiplies the
    /// vertex colors; light gray by default), "wireframe" (1-pixel edges of
    /// ``color``), "scalars" (lit, colored by ``mesh.set_scalars`` values
    /// through ``colormap``, normalised by ``scalar_range`` or the values'
    /// min/max), "points" (default for Points: unlit discs of ``size``
    /// pixels, default ``points.size``; ``colormap`` colors by scalars).
    /// ``color`` is 3 or 4 floats in [0, 1]. The scene keeps a reference;
    /// later ``set_vertices`` calls show in the next render.
    ///
    /// Example: ``rid = r.add_mesh(forge3d.primitives.sphere(), color=(1, .5, 0))``
    #[pyo3(signature = (mesh, *, style=None, color=None, colormap=None, scalar_range=None, size=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_mesh(
        &self,
        mesh: &Bound<'_, PyAny>,
        style: Option<&Bound<'_, PyAny>>,
        color: Option<&Bound<'_, PyAny>>,
        colormap: Option<&Bound<'_, PyAny>>,
        scalar_range: Option<&Bound<'_, PyAny>>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<u64> {
        let (core, point_size) = super::points::core_mesh(mesh)?;
        let style = mesh_style(style, point_size, color, colormap, scalar_range, size)?;
        Ok(self.inner.add_mesh(core, style)?)
    }

    /// Change how mesh ``id`` is drawn (a MeshStyle, or keywords as in add_mesh).
    #[pyo3(signature = (id, *, style, color=None, colormap=None, scalar_range=None, size=None))]
    #[allow(clippy::too_many_arguments)]
    fn set_mesh_style(
        &self,
        id: &Bound<'_, PyAny>,
        style: &Bound<'_, PyAny>,
        color: Option<&Bound<'_, PyAny>>,
        colormap: Option<&Bound<'_, PyAny>>,
        scalar_range: Option<&Bound<'_, PyAny>>,
        size: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let id = args::int_in("id", id, 0, u64::MAX as i128)? as u64;
        if style.is_none() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "style must be {STYLE}, got None"
            )));
        }
        let style = mesh_style(Some(style), None, color, colormap, scalar_range, size)?;
        Ok(self.inner.set_mesh_style(id, style)?)
    }

    /// How the last frame rasterised mesh ``id``'s points: "compute" or
    /// "triangles" (None before a frame drew it as points). FORGE3D_POINTS chooses.
    fn points_raster(&self, id: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
        let id = args::int_in("id", id, 0, u64::MAX as i128)? as u64;
        Ok(self.inner.points_raster(id)?)
    }

    /// Remove mesh ``id`` from the scene; False when there was none.
    fn remove_mesh(&self, id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = args::int_in("id", id, 0, u64::MAX as i128)? as u64;
        Ok(self.inner.remove_mesh(id))
    }

    /// Remove every mesh and point set (the terrain stays).
    fn clear_meshes(&self) {
        self.inner.clear_meshes()
    }

    /// Ids of the scene's meshes in drawing order.
    #[getter]
    fn mesh_ids(&self) -> Vec<u64> {
        self.inner.mesh_ids()
    }

    /// ((xmin, ymin, zmin), (xmax, ymax, zmax)) the default camera frames:
    /// the union of the layers' bounds: the terrain, and the mesh positions last
    /// set with a copy or written through write_vertices() (a unit cube when empty).
    fn scene_bounds(&self) -> ((f32, f32, f32), (f32, f32, f32)) {
        let b = self.inner.scene_bounds();
        (
            (b.min[0], b.min[1], b.min[2]),
            (b.max[0], b.max[1], b.max[2]),
        )
    }

    /// Alias of ``render()``.
    fn render_frame(&self, py: Python<'_>) -> PyResult<PyFrame> {
        let r = self.inner.clone();
        let frame = py.detach(move || r.render())?;
        Ok(PyFrame::new(frame))
    }

    /// (id, kind) of every layer in drawing order; kind is "terrain" or "mesh".
    #[getter]
    fn layers(&self) -> Vec<(u64, &'static str)> {
        self.inner.layers()
    }

    /// Alias of ``render().to_numpy()``.
    fn render_rgba<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.render_frame(py)?;
        super::frame::to_numpy(Bound::new(py, frame)?)
    }

    /// Alias of ``render().to_png(path)``.
    fn render_png(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let r = self.inner.clone();
        Ok(py.detach(move || r.render()?.save_png(&path))?)
    }

    fn __repr__(&self) -> String {
        format!(
            "Renderer(width={}, height={})",
            self.inner.width(),
            self.inner.height()
        )
    }
}
