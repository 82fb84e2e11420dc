//! Boundaries: the shapes a region's map draws (loaded into the database first, else the ones
//! that ship with the program), loading more from a GeoJSON file, and what is covered.

use super::ServiceError;
use super::caller::Caller;
use std::collections::HashMap;
use wahana_domain::geo::geojson::{ReadError, geometry_json, read_features, read_geometry};
use wahana_domain::geo::official::detail;
use wahana_domain::geo::topology::Topology;
use wahana_domain::geo::{Boundaries, Shape};
use wahana_domain::{Level, Region, RegionTree};
use wahana_store::{NewBoundary, Store};

/// The level below `region` (provinces below the country); `None` below a village.
pub fn child_level(region: Option<&Region>) -> Option<Level> {
    match region.map(|r| r.level()) {
        None => Some(Level::Province),
        Some(Level::Province) => Some(Level::Regency),
        Some(Level::Regency) => Some(Level::District),
        Some(Level::District) => Some(Level::Village),
        Some(Level::Village) => None,
    }
}

/// The shapes of the children of `region` (the provinces for the country), by code: a
/// boundary loaded into the database, else the shipped one; a province that has no outline of
/// its own is drawn from its kabupaten/kota. Children with neither are absent.
pub async fn children_shapes(
    store: &Store,
    region: Option<&Region>,
) -> Result<HashMap<String, Shape>, ServiceError> {
    let tree = RegionTree::official();
    let Some(level) = child_level(region) else {
        return Ok(HashMap::new());
    };
    let children = match region {
        Some(r) => tree.children(&r.code),
        None => tree.provinces(),
    };
    let mut out = HashMap::with_capacity(children.len());
    for (code, geometry) in store
        .boundaries_under(region.map(|r| &r.code), level)
        .await?
    {
        // Written by the import after the same checks; a row that no longer reads is drawn
        // from the shipped shape (or as a point) rather than failing the page.
        if let Ok(shape) = read_geometry(&geometry) {
            out.insert(code, shape);
        }
    }
    let official = Boundaries::official();
    for c in children {
        let code = c.code.as_str();
        if out.contains_key(code) {
            continue;
        }
        if let Some(shape) = official.shape(code) {
            out.insert(code.to_string(), shape);
        } else if level == Level::Province {
            let polygons: Vec<_> = tree
                .children(&c.code)
                .iter()
                .filter_map(|k| official.shape(k.code.as_str()))
                .flat_map(|s| s.polygons)
                .collect();
            if !polygons.is_empty() {
                out.insert(code.to_string(), Shape { polygons });
            }
        }
    }
    Ok(out)
}

/// What an import of boundaries wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BoundaryImport {
    pub features: usize,
    /// Positions in the file, and kept after thinning for drawing.
    pub points_read: usize,
    pub points_kept: usize,
    /// Regions written per level (1 province ... 4 village).
    pub by_level: Vec<(i64, usize)>,
}

/// Loads the boundaries of a GeoJSON `FeatureCollection` (`text`, from the file `source`),
/// replacing those held for the same regions. Every feature is checked first (official code,
/// polygon geometry, inside Indonesia); one problem refuses the file and nothing is written
/// (the inner `Err`, every problem listed). The shapes of each level are thinned together to
/// that level's detail, so the borders they share stay shared. Admins and the command line.
pub async fn import(
    store: &Store,
    caller: &Caller,
    text: &str,
    source: &str,
) -> Result<Result<BoundaryImport, ReadError>, ServiceError> {
    caller.check_admin()?;
    let tree = RegionTree::official();
    let features = match read_features(text, tree) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let points_read = features.iter().map(|f| f.shape.points()).sum();
    let mut rows: Vec<NewBoundary> = Vec::with_capacity(features.len());
    let mut by_level = Vec::new();
    for level in Level::ALL {
        let of_level: Vec<_> = features
            .iter()
            .filter(|f| f.code.level() == level)
            .collect();
        if of_level.is_empty() {
            continue;
        }
        let (grid, tolerance) = detail(level);
        let codes: Vec<String> = of_level.iter().map(|f| f.code.to_string()).collect();
        let mut topo = Topology::build(
            of_level
                .iter()
                .zip(&codes)
                .map(|(f, c)| (c.as_str(), "", &f.shape)),
            grid,
        );
        topo.simplify(tolerance);
        for (f, tf) in of_level.iter().zip(&topo.features) {
            let shape = topo.shape(tf);
            rows.push(NewBoundary {
                code: f.code.clone(),
                points: shape.points() as i64,
                geometry: geometry_json(&shape),
            });
        }
        by_level.push((level.number(), of_level.len()));
    }
    let points_kept = rows.iter().map(|r| r.points as usize).sum();
    store
        .save_boundaries(&rows, source, &caller.who().0)
        .await?;
    Ok(Ok(BoundaryImport {
        features: rows.len(),
        points_read,
        points_kept,
        by_level,
    }))
}

/// One line of the coverage: a level, or one province's villages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageLine {
    /// `provinsi`, `kabupaten_kota`, `kecamatan`, or `desa_kelurahan`.
    pub level: &'static str,
    /// The province, for villages.
    pub province: Option<String>,
    pub regions: usize,
    /// With a boundary shipped with the program.
    pub shipped: usize,
    /// With a boundary loaded into the database.
    pub loaded: usize,
    /// With either.
    pub covered: usize,
}

/// Which levels and provinces have boundaries: the country's three upper levels, and the
/// villages of every province that has any.
pub async fn coverage(store: &Store) -> Result<Vec<CoverageLine>, ServiceError> {
    let tree = RegionTree::official();
    let official = Boundaries::official();
    let held = store.boundary_counts().await?;
    // Loaded boundaries by code, for the union with the shipped ones.
    let mut loaded_codes: HashMap<i64, Vec<String>> = HashMap::new();
    for level in Level::ALL {
        if held.iter().any(|h| h.level == level.number()) {
            let codes = store.boundaries_under(None, level).await?;
            loaded_codes.insert(level.number(), codes.into_iter().map(|(c, _)| c).collect());
        }
    }
    let line = |level: Level, province: Option<&Region>| -> CoverageLine {
        let regions: Vec<&Region> = match (level, province) {
            (Level::Village, Some(p)) => tree.villages_under(&p.code).collect(),
            (Level::Province, _) => tree.provinces().iter().collect(),
            (Level::Regency, _) => tree
                .provinces()
                .iter()
                .flat_map(|p| tree.children(&p.code))
                .collect(),
            (_, _) => tree
                .provinces()
                .iter()
                .flat_map(|p| tree.children(&p.code))
                .flat_map(|r| tree.children(&r.code))
                .collect(),
        };
        let loaded: std::collections::HashSet<&str> = loaded_codes
            .get(&level.number())
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let (mut shipped, mut in_db, mut covered) = (0, 0, 0);
        for r in &regions {
            let s = official.contains(r.code.as_str());
            let l = loaded.contains(r.code.as_str());
            shipped += usize::from(s);
            in_db += usize::from(l);
            covered += usize::from(s || l);
        }
        CoverageLine {
            level: level.code(),
            province: province.map(|p| p.code.to_string()),
            regions: regions.len(),
            shipped,
            loaded: in_db,
            covered,
        }
    };
    let mut out = vec![
        line(Level::Province, None),
        line(Level::Regency, None),
        line(Level::District, None),
    ];
    for p in tree.provinces() {
        let code = p.code.as_str();
        let has_any = official.contains_villages_of(code)
            || held
                .iter()
                .any(|h| h.level == Level::Village.number() && h.province == code);
        if has_any {
            out.push(line(Level::Village, Some(p)));
        }
    }
    Ok(out)
}
