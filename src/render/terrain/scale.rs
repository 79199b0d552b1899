//! How heights map to the colormap: linearly or logarithmically over the
//! height range, or into discrete bins between given levels.

use crate::error::{Error, Result};

/// Most levels (bin boundaries) a terrain takes.
pub const MAX_LEVELS: usize = 64;

/// Normalisation of heights over the height range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Norm {
    #[default]
    Linear,
    /// log(h): the range must be positive; heights at or below zero take
    /// the low end of the colormap.
    Log,
}

impl Norm {
    pub fn parse(name: &str) -> Result<Norm> {
        match name {
            "linear" => Ok(Norm::Linear),
            "log" => Ok(Norm::Log),
            other => Err(Error::InvalidArgument(format!(
                "norm must be 'linear' or 'log', got {other:?}"
            ))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Norm::Linear => "linear",
            Norm::Log => "log",
        }
    }
}

/// Contour lines over a terrain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contours {
    /// Height units between lines (> 0).
    pub interval: f32,
    /// Every `major_every`-th line is drawn twice as wide (0: none).
    pub major_every: u32,
    /// RGBA in [0, 1]; alpha is the opacity.
    pub color: [f32; 4],
    /// Line width in pixels, in (0, 32].
    pub width_px: f32,
}

impl Contours {
    pub fn validate(&self) -> Result<()> {
        if !(self.interval.is_finite() && self.interval > 0.0) {
            return Err(Error::InvalidArgument(format!(
                "interval must be a positive height difference between contour lines, got {}",
                self.interval
            )));
        }
        if !(self.width_px.is_finite() && self.width_px > 0.0 && self.width_px <= 32.0) {
            return Err(Error::InvalidArgument(format!(
                "width_px must be in (0, 32] pixels, got {}",
                self.width_px
            )));
        }
        if !self
            .color
            .iter()
            .all(|c| c.is_finite() && (0.0..=1.0).contains(c))
        {
            return Err(Error::InvalidArgument(format!(
                "color must be 3 or 4 floats in [0, 1], got {:?}",
                self.color
            )));
        }
        Ok(())
    }
}

/// Checks levels: 2 to [`MAX_LEVELS`] finite values, strictly increasing
/// (`levels[i]..levels[i + 1]` is bin i; heights outside take the end
/// bins).
pub fn check_levels(levels: &[f32]) -> Result<()> {
    if !(2..=MAX_LEVELS).contains(&levels.len()) {
        return Err(Error::InvalidArgument(format!(
            "levels must have 2 to {MAX_LEVELS} boundaries, got {}",
            levels.len()
        )));
    }
    if levels.iter().any(|v| !v.is_finite()) || levels.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::InvalidArgument(format!(
            "levels must be finite and strictly increasing, got {levels:?}"
        )));
    }
    Ok(())
}

/// Checks that `norm` can map the range `(lo, hi)` in effect.
pub fn check_norm_range(norm: Norm, (lo, _hi): (f32, f32)) -> Result<()> {
    if norm == Norm::Log && lo <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "norm='log' needs a positive height range, but it starts at {lo}; pass \
             height_range=(min, max) with min > 0"
        )));
    }
    Ok(())
}

/// The uniform's (offset, scale) of the height range under `norm`: the
/// shader computes `s = (f(h) - offset) * scale`, f the identity or ln.
pub fn range_uniform(norm: Norm, (lo, hi): (f32, f32)) -> [f32; 2] {
    let (a, b) = match norm {
        Norm::Linear => (lo, hi),
        Norm::Log => (
            lo.max(f32::MIN_POSITIVE).ln(),
            hi.max(f32::MIN_POSITIVE).ln(),
        ),
    };
    let span = if b > a { b - a } else { 1.0 };
    [a, 1.0 / span]
}

/// Levels packed for the uniform (`vec4` array), and their count.
pub fn levels_uniform(levels: &[f32]) -> ([[f32; 4]; MAX_LEVELS / 4], u32) {
    let mut out = [[0.0; 4]; MAX_LEVELS / 4];
    for (i, v) in levels.iter().enumerate() {
        out[i / 4][i % 4] = *v;
    }
    (out, levels.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_norms_are_checked() {
        assert!(check_levels(&[0.0, 1.0]).is_ok());
        assert!(check_levels(&[0.0]).is_err());
        assert!(check_levels(&[0.0, 0.0]).is_err());
        assert!(check_levels(&[0.0, f32::NAN]).is_err());
        assert!(check_levels(&vec![0.0; 65]).is_err());
        assert!(Norm::parse("log").is_ok() && Norm::parse("sqrt").is_err());
        assert!(check_norm_range(Norm::Log, (0.0, 1.0)).is_err());
        let [a, b] = range_uniform(Norm::Log, (1.0, std::f32::consts::E));
        assert!(a.abs() < 1e-6 && (b - 1.0).abs() < 1e-5, "{a} {b}");
    }
}
