//! Python bindings: conversion at the edge only. Rendering lives in
//! `render/`, memory in `memory/`; nothing here uses the NumPy C API
//! (NumPy reaches frames through the buffer protocol and DLPack, Arrow
//! through the PyCapsule interface).

mod args;
mod array_in;
mod arrow_edge;
mod arrow_in;
mod attr_in;
mod buffer;
mod camera;
mod dlpack;
mod errors;
mod exports;
mod external_array;
mod frame;
mod heightmap;
mod heights_in;
mod image_in;
mod info;
mod input;
mod interop;
mod long_table;
mod mapped_write;
mod mesh;
mod outputs;
mod pickling;
mod plane;
mod points;
mod primitives;
mod renderer;
mod style;
mod table;
mod table_parts;
mod terrain_fill;
mod terrain_look;
mod terrain_table;
mod window;

use pyo3::prelude::*;

#[pymodule]
fn _forge3d(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("GpuError", m.py().get_type::<errors::GpuError>())?;
    m.add_class::<renderer::PyRenderer>()?;
    m.add_class::<frame::PyFrame>()?;
    m.add_class::<plane::PyPlane>()?;
    heightmap::register(m)?;
    m.add_class::<style::PyMeshStyle>()?;
    info::register(m)?;
    camera::register(m)?;
    table::register(m)?;
    long_table::register(m)?;
    external_array::register(m)?;
    mesh::register(m)?;
    m.add_class::<points::PyPoints>()?;
    primitives::register(m)?;
    interop::register(m)?;
    pickling::register(m)?;
    table_parts::register(m)?;
    window::register(m)?;
    Ok(())
}
