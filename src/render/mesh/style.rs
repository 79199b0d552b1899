//! How a mesh or point set is drawn, and the checks on what a caller gives
//! for it. The Python `forge3d.MeshStyle` objects and the string keywords of
//! `add_mesh` / `set_mesh_style` are both built by [`MeshStyle::build`].

use crate::error::{Error, Result};
use crate::render::colormap;

/// How a mesh is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum MeshStyle {
    /// Lit triangles; `color` multiplies the vertex colors (or is the color).
    Surface { color: [f32; 4] },
    /// Triangle edges as 1-pixel lines of `color`.
    Wireframe { color: [f32; 4] },
    /// Lit triangles colored by the mesh's scalars through a colormap;
    /// `range` defaults to the scalars' min and max.
    Scalars {
        colormap: String,
        range: Option<(f32, f32)>,
    },
    /// Each vertex a disc of `size` pixels, unlit; `color` multiplies the
    /// vertex colors; `colormap` colors by scalars instead when set.
    Points {
        size: f32,
        color: [f32; 4],
        colormap: Option<String>,
        range: Option<(f32, f32)>,
    },
}

/// What a caller gives for a style; `None` is "not given" (the kind's
/// default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StyleParts {
    pub color: Option<[f32; 4]>,
    pub colormap: Option<String>,
    pub range: Option<(f64, f64)>,
    pub size: Option<f64>,
}

/// The style names, in the order error messages list them.
pub const KINDS: [&str; 4] = ["surface", "wireframe", "scalars", "points"];

/// A point diameter in pixels: in (0, 1024] once in float32.
pub fn check_point_size(size: f64) -> Result<f32> {
    if !(size.is_finite() && (size as f32) > 0.0 && size <= 1024.0) {
        return Err(Error::InvalidArgument(format!(
            "size must be a point diameter in pixels in (0, 1024], got {size}"
        )));
    }
    Ok(size as f32)
}

fn check_color(c: &[f32; 4]) -> Result<()> {
    if c.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "color must be 3 or 4 floats in [0, 1], got {c:?}"
        )))
    }
}

fn check_range(r: (f64, f64)) -> Result<(f32, f32)> {
    let (lo, hi) = (r.0 as f32, r.1 as f32);
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok((lo, hi))
    } else {
        Err(Error::InvalidArgument(format!(
            "scalar_range must be two finite numbers with min < max (in float32), got ({}, {})",
            r.0, r.1
        )))
    }
}

impl MeshStyle {
    /// A style of `kind` ("surface", "wireframe", "scalars", "points") from
    /// the parts given. Every part given is checked, also those the kind
    /// does not use (a misspelt colormap on a surface is an error, not
    /// ignored). Defaults: light gray surfaces, dark wireframes, white
    /// points of 2 pixels, the viridis colormap.
    pub fn build(kind: &str, parts: StyleParts) -> Result<MeshStyle> {
        if let Some(c) = &parts.color {
            check_color(c)?;
        }
        if let Some(name) = &parts.colormap {
            colormap::lut(name)?;
        }
        let range = parts.range.map(check_range).transpose()?;
        let size = parts.size.map(check_point_size).transpose()?;
        let style = match kind {
            "surface" => MeshStyle::Surface {
                color: parts.color.unwrap_or([0.8, 0.8, 0.8, 1.0]),
            },
            "wireframe" => MeshStyle::Wireframe {
                color: parts.color.unwrap_or([0.1, 0.1, 0.1, 1.0]),
            },
            "scalars" => MeshStyle::Scalars {
                colormap: parts.colormap.unwrap_or_else(|| "viridis".to_string()),
                range,
            },
            "points" => MeshStyle::Points {
                size: size.unwrap_or(2.0),
                color: parts.color.unwrap_or([1.0; 4]),
                colormap: parts.colormap,
                range,
            },
            other => {
                return Err(Error::InvalidArgument(format!(
                    "style must be one of {}; got {other:?}",
                    KINDS.join(", ")
                )))
            }
        };
        Ok(style)
    }

    /// The kind's name, as [`MeshStyle::build`] takes it.
    pub fn kind(&self) -> &'static str {
        match self {
            MeshStyle::Surface { .. } => "surface",
            MeshStyle::Wireframe { .. } => "wireframe",
            MeshStyle::Scalars { .. } => "scalars",
            MeshStyle::Points { .. } => "points",
        }
    }

    /// Checks a style built directly in Rust (colors in [0, 1], sizes,
    /// colormaps, ranges); [`MeshStyle::build`] makes only valid ones.
    pub fn validate(&self) -> Result<()> {
        let range = |r: &Option<(f32, f32)>| match r {
            Some((lo, hi)) => check_range((*lo as f64, *hi as f64)).map(|_| ()),
            None => Ok(()),
        };
        match self {
            MeshStyle::Surface { color } | MeshStyle::Wireframe { color } => check_color(color),
            MeshStyle::Scalars { colormap, range: r } => {
                colormap::lut(colormap)?;
                range(r)
            }
            MeshStyle::Points {
                size,
                color,
                colormap,
                range: r,
            } => {
                check_point_size(*size as f64)?;
                if let Some(c) = colormap {
                    colormap::lut(c)?;
                }
                check_color(color)?;
                range(r)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_given_is_checked() {
        let bad_map = StyleParts {
            colormap: Some("no_such_map".into()),
            ..StyleParts::default()
        };
        assert!(MeshStyle::build("surface", bad_map).is_err());
        let bad_size = StyleParts {
            size: Some(5e-324),
            ..StyleParts::default()
        };
        assert!(MeshStyle::build("wireframe", bad_size)
            .unwrap_err()
            .to_string()
            .contains("size"));
        let s = MeshStyle::build("points", StyleParts::default()).unwrap();
        assert_eq!(s.kind(), "points");
        assert!(s.validate().is_ok());
        assert!(MeshStyle::build("dots", StyleParts::default())
            .unwrap_err()
            .to_string()
            .contains("surface, wireframe, scalars, points"));
    }
}
