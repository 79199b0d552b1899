//! Geometry of the built-in primitives, as plain arrays: positions,
//! normals and texcoords per vertex, counter-clockwise triangles.

/// Vertex attributes and triangle indices of a primitive.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// x, y, z per vertex.
    pub positions: Vec<f32>,
    /// Unit outward normals.
    pub normals: Vec<f32>,
    /// u, v in [0, 1].
    pub texcoords: Vec<f32>,
    pub indices: Vec<u32>,
}

impl Geometry {
    pub fn vertex_count(&self) -> usize {
        self.positions.len() / 3
    }
}

/// An axis-aligned cube of edge `size` centred on the origin: 24 vertices
/// (4 per face, so each face has its own normal), 12 triangles.
pub fn cube(size: f32) -> Geometry {
    let h = size / 2.0;
    // (normal, u axis, v axis): u x v = normal, so faces wind outward.
    let faces: [([f32; 3], [f32; 3], [f32; 3]); 6] = [
        ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        ([-1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
        ([0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]),
        ([0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]),
        ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
        ([0.0, 0.0, -1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]),
    ];
    let mut g = Geometry {
        positions: Vec::with_capacity(72),
        normals: Vec::with_capacity(72),
        texcoords: Vec::with_capacity(48),
        indices: Vec::with_capacity(36),
    };
    for (n, u, v) in faces {
        let base = g.vertex_count() as u32;
        for (su, sv) in [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)] {
            for k in 0..3 {
                g.positions.push(h * (n[k] + su * u[k] + sv * v[k]));
            }
            g.normals.extend_from_slice(&n);
            g.texcoords
                .extend_from_slice(&[(su + 1.0) / 2.0, (sv + 1.0) / 2.0]);
        }
        g.indices
            .extend_from_slice(&[base, base + 1, base + 2, base, base + 2, base + 3]);
    }
    g
}

/// A UV sphere of `radius` with `segments` divisions around the z axis and
/// `segments / 2` (at least 2) from pole to pole.
pub fn sphere(radius: f32, segments: u32) -> Geometry {
    let rings = (segments / 2).max(2);
    let mut g = Geometry {
        positions: Vec::new(),
        normals: Vec::new(),
        texcoords: Vec::new(),
        indices: Vec::new(),
    };
    for i in 0..=rings {
        let theta = std::f32::consts::PI * i as f32 / rings as f32;
        for j in 0..=segments {
            let phi = 2.0 * std::f32::consts::PI * j as f32 / segments as f32;
            let n = [
                theta.sin() * phi.cos(),
                theta.sin() * phi.sin(),
                theta.cos(),
            ];
            g.positions.extend(n.iter().map(|c| c * radius));
            g.normals.extend_from_slice(&n);
            g.texcoords
                .extend_from_slice(&[j as f32 / segments as f32, i as f32 / rings as f32]);
        }
    }
    let row = segments + 1;
    for i in 0..rings {
        for j in 0..segments {
            let a = i * row + j;
            let b = a + row;
            // Skip the degenerate triangles at the poles.
            if i != 0 {
                g.indices.extend_from_slice(&[a, b, a + 1]);
            }
            if i != rings - 1 {
                g.indices.extend_from_slice(&[a + 1, b, b + 1]);
            }
        }
    }
    g
}

/// A square of edge `size` in the z = 0 plane, centred on the origin,
/// facing +z, split into `resolution` x `resolution` cells.
pub fn plane(size: f32, resolution: u32) -> Geometry {
    let n = resolution;
    let mut g = Geometry {
        positions: Vec::new(),
        normals: Vec::new(),
        texcoords: Vec::new(),
        indices: Vec::new(),
    };
    for i in 0..=n {
        for j in 0..=n {
            let (u, v) = (j as f32 / n as f32, i as f32 / n as f32);
            g.positions
                .extend_from_slice(&[(u - 0.5) * size, (v - 0.5) * size, 0.0]);
            g.normals.extend_from_slice(&[0.0, 0.0, 1.0]);
            g.texcoords.extend_from_slice(&[u, v]);
        }
    }
    for i in 0..n {
        for j in 0..n {
            let a = i * (n + 1) + j;
            let b = a + n + 1;
            g.indices.extend_from_slice(&[a, a + 1, b + 1, a, b + 1, b]);
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tri_normal(g: &Geometry, t: usize) -> [f32; 3] {
        let p = |k: usize| {
            let i = g.indices[t * 3 + k] as usize * 3;
            [g.positions[i], g.positions[i + 1], g.positions[i + 2]]
        };
        let (a, b, c) = (p(0), p(1), p(2));
        let u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
        [
            u[1] * v[2] - u[2] * v[1],
            u[2] * v[0] - u[0] * v[2],
            u[0] * v[1] - u[1] * v[0],
        ]
    }

    /// Every triangle winds counter-clockwise seen from outside: its
    /// geometric normal agrees with the vertex normals.
    fn check_winding(g: &Geometry) {
        for t in 0..g.indices.len() / 3 {
            let n = tri_normal(g, t);
            let i = g.indices[t * 3] as usize * 3;
            let vn = &g.normals[i..i + 3];
            let d: f32 = (0..3).map(|k| n[k] * vn[k]).sum();
            assert!(d > 0.0, "triangle {t} winds inward");
        }
    }

    #[test]
    fn cube_has_24_vertices_outward_faces_and_half_size_extent() {
        let g = cube(2.0);
        assert_eq!((g.vertex_count(), g.indices.len()), (24, 36));
        assert!(g.positions.iter().all(|v| v.abs() == 1.0));
        check_winding(&g);
    }

    #[test]
    fn sphere_vertices_lie_on_the_radius_and_wind_outward() {
        let g = sphere(3.0, 16);
        for p in g.positions.chunks(3) {
            let r = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
            assert!((r - 3.0).abs() < 1e-4);
        }
        assert_eq!(g.vertex_count(), 9 * 17);
        assert_eq!(g.indices.len(), 3 * (2 * 16 * 8 - 2 * 16));
        check_winding(&g);
    }

    #[test]
    fn plane_spans_size_and_faces_up() {
        let g = plane(4.0, 3);
        assert_eq!((g.vertex_count(), g.indices.len()), (16, 54));
        let xs: Vec<f32> = g.positions.chunks(3).map(|p| p[0]).collect();
        assert_eq!(xs.iter().cloned().fold(f32::MAX, f32::min), -2.0);
        assert_eq!(xs.iter().cloned().fold(f32::MIN, f32::max), 2.0);
        check_winding(&g);
    }
}
