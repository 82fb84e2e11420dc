//! Boundaries of regions: shapes in longitude and latitude, read from GeoJSON
//! ([`geojson`]), kept as a topology whose shared borders stay shared when simplified
//! ([`topology`]), and the official ones embedded in the program ([`official`]).
//!
//! Coordinates are `[longitude, latitude]` in degrees (WGS 84), as GeoJSON has them. Rings are
//! closed (the last point repeats the first); a polygon is its outer ring, then its holes.

pub mod geojson;
pub mod official;
pub mod topology;

pub use official::{Boundaries, Coverage};

/// `[longitude, latitude]`.
pub type Point = [f64; 2];
/// A closed ring: the last point repeats the first.
pub type Ring = Vec<Point>;
/// The outer ring, then the holes.
pub type Polygon = Vec<Ring>;

/// A region's outline: one or more polygons.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    pub polygons: Vec<Polygon>,
}

/// A box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

/// Indonesia's box with a margin of about half a degree: Sabang to Merauke, Miangas to Rote.
/// A coordinate outside it is a mistake (often latitude and longitude swapped).
pub const INDONESIA: Bbox = Bbox {
    west: 94.0,
    south: -12.0,
    east: 142.0,
    north: 7.0,
};

impl Bbox {
    /// The empty box, which any point extends.
    pub const EMPTY: Bbox = Bbox {
        west: f64::INFINITY,
        south: f64::INFINITY,
        east: f64::NEG_INFINITY,
        north: f64::NEG_INFINITY,
    };

    pub fn extend(&mut self, p: Point) {
        self.west = self.west.min(p[0]);
        self.east = self.east.max(p[0]);
        self.south = self.south.min(p[1]);
        self.north = self.north.max(p[1]);
    }

    pub fn union(&mut self, o: &Bbox) {
        self.west = self.west.min(o.west);
        self.east = self.east.max(o.east);
        self.south = self.south.min(o.south);
        self.north = self.north.max(o.north);
    }

    pub fn is_empty(&self) -> bool {
        self.west > self.east || self.south > self.north
    }

    pub fn contains(&self, p: Point) -> bool {
        p[0] >= self.west && p[0] <= self.east && p[1] >= self.south && p[1] <= self.north
    }
}

/// Twice the signed area of a ring (positive when counter-clockwise), in square degrees.
fn ring_area2(r: &[Point]) -> f64 {
    r.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

impl Shape {
    pub fn bbox(&self) -> Bbox {
        let mut b = Bbox::EMPTY;
        for p in self.polygons.iter().flatten().flatten() {
            b.extend(*p);
        }
        b
    }

    /// How many points the shape holds.
    pub fn points(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }

    /// Area in square degrees (holes subtracted), to compare shapes with each other.
    pub fn area(&self) -> f64 {
        self.polygons
            .iter()
            .map(|p| {
                let mut rings = p.iter();
                let outer = rings.next().map(|r| ring_area2(r).abs()).unwrap_or(0.0);
                outer - rings.map(|r| ring_area2(r).abs()).sum::<f64>()
            })
            .sum::<f64>()
            / 2.0
    }

    /// Where a label or a point for the shape goes: the centroid of its largest outer ring
    /// (the middle of its box for a ring of no area).
    pub fn label_point(&self) -> Option<Point> {
        let outer = self
            .polygons
            .iter()
            .filter_map(|p| p.first())
            .max_by(|a, b| ring_area2(a).abs().total_cmp(&ring_area2(b).abs()))?;
        let a2 = ring_area2(outer);
        if a2.abs() < 1e-12 {
            let mut b = Bbox::EMPTY;
            outer.iter().for_each(|p| b.extend(*p));
            return (!b.is_empty()).then(|| [(b.west + b.east) / 2.0, (b.south + b.north) / 2.0]);
        }
        // Relative to the first point, for precision.
        let o = outer[0];
        let (mut cx, mut cy) = (0.0, 0.0);
        for w in outer.windows(2) {
            let (x0, y0) = (w[0][0] - o[0], w[0][1] - o[1]);
            let (x1, y1) = (w[1][0] - o[0], w[1][1] - o[1]);
            let c = x0 * y1 - x1 * y0;
            cx += (x0 + x1) * c;
            cy += (y0 + y1) * c;
        }
        Some([o[0] + cx / (3.0 * a2), o[1] + cy / (3.0 * a2)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Ring {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
    }

    #[test]
    fn area_box_and_label_point_of_a_square_with_a_hole() {
        let shape = Shape {
            polygons: vec![vec![square(120.0, -4.0, 2.0), square(120.5, -3.5, 1.0)]],
        };
        assert!((shape.area() - 3.0).abs() < 1e-9);
        let b = shape.bbox();
        assert_eq!(
            (b.west, b.south, b.east, b.north),
            (120.0, -4.0, 122.0, -2.0)
        );
        let c = shape.label_point().unwrap();
        assert!(
            (c[0] - 121.0).abs() < 1e-9 && (c[1] + 3.0).abs() < 1e-9,
            "{c:?}"
        );
        assert!(INDONESIA.contains(c));
        assert!(!INDONESIA.contains([-3.0, 121.0]), "lat and lon swapped");
    }
}
