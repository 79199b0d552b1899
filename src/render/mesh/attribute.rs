//! The per-vertex attributes of a mesh and the caller's rows of one.

/// A per-vertex attribute of a [`Mesh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// float32 x 3
    Positions,
    /// float32 x 3
    Normals,
    /// float32 x 2
    Texcoords,
    /// float32 x 4, or uint8 x 4 read as unorm
    Colors,
    /// float32 x 1, drawn through a colormap
    Scalars,
}

impl Attribute {
    pub const ALL: [Attribute; 5] = [
        Attribute::Positions,
        Attribute::Normals,
        Attribute::Texcoords,
        Attribute::Colors,
        Attribute::Scalars,
    ];

    /// The name the Python setters use (`set_vertices`, `set_normals`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Positions => "vertices",
            Attribute::Normals => "normals",
            Attribute::Texcoords => "texcoords",
            Attribute::Colors => "colors",
            Attribute::Scalars => "scalars",
        }
    }

    pub fn components(self) -> usize {
        match self {
            Attribute::Positions | Attribute::Normals => 3,
            Attribute::Texcoords => 2,
            Attribute::Colors => 4,
            Attribute::Scalars => 1,
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }

    /// The ledger's reason for an upload of this attribute.
    pub(super) fn upload_reason(self) -> &'static str {
        match self {
            Attribute::Positions => "vertices -> GPU upload memory",
            Attribute::Normals => "normals -> GPU upload memory",
            Attribute::Texcoords => "texcoords -> GPU upload memory",
            Attribute::Colors => "colors -> GPU upload memory",
            Attribute::Scalars => "scalars -> GPU upload memory",
        }
    }
}

/// How colors are stored on the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColorFormat {
    F32,
    /// uint8 RGBA, read by the vertex stage as unorm (no CPU conversion).
    Unorm8,
}

/// Rows of one attribute, borrowed from the caller.
#[derive(Debug, Clone)]
pub enum AttributeData<'a> {
    /// Row-major `(rows, components)` float32.
    F32(&'a [f32]),
    /// Row-major `(rows, 4)` uint8 colors.
    Unorm8(&'a [u8]),
    /// One float32 column per component (DataFrame columns), interleaved on
    /// the GPU.
    Columns(Vec<&'a [f32]>),
}

impl AttributeData<'_> {
    /// Float colors must lie in [0, 1] (NaN is caught by the copy): the
    /// first value outside as (row, component, value).
    pub(super) fn first_color_out_of_range(&self) -> Option<(usize, usize, f32)> {
        let bad = |v: f32| !(0.0..=1.0).contains(&v) && !v.is_nan();
        match self {
            AttributeData::F32(d) => d.iter().position(|&v| bad(v)).map(|i| (i / 4, i % 4, d[i])),
            AttributeData::Columns(cols) => cols
                .iter()
                .enumerate()
                .find_map(|(k, c)| c.iter().position(|&v| bad(v)).map(|i| (i, k, c[i]))),
            AttributeData::Unorm8(_) => None,
        }
    }

    pub(super) fn rows(&self, components: usize) -> std::result::Result<usize, String> {
        match self {
            AttributeData::F32(d) if d.len() % components == 0 => Ok(d.len() / components),
            AttributeData::F32(d) => Err(format!(
                "{} values are not a whole number of rows of {components}",
                d.len()
            )),
            AttributeData::Unorm8(d) if d.len() % 4 == 0 => Ok(d.len() / 4),
            AttributeData::Unorm8(d) => Err(format!(
                "{} bytes are not a whole number of RGBA rows",
                d.len()
            )),
            AttributeData::Columns(cols) => {
                if cols.len() != components {
                    return Err(format!("{} columns given, {components} needed", cols.len()));
                }
                let n = cols[0].len();
                if cols.iter().any(|c| c.len() != n) {
                    return Err("the columns differ in length".into());
                }
                Ok(n)
            }
        }
    }
}
