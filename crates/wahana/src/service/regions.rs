//! The region tree with the registry's counts.

use anyhow::Result;
use serde::Serialize;
use wahana_domain::{Lang, Region, RegionCode, RegionTree};
use wahana_store::Store;

/// One region as shown in lists.
#[derive(Debug, Clone, Serialize)]
pub struct RegionLine {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub kind: &'static str,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Groups recorded in its subtree (in the wave asked for, or in all waves).
    pub groups: i64,
}

/// A region, the path down to it, and its children with their group counts.
#[derive(Debug, Clone, Serialize)]
pub struct RegionOverview {
    pub region: RegionLine,
    pub ancestors: Vec<RegionLine>,
    pub children: Vec<RegionLine>,
    pub wave: Option<String>,
}

fn line(r: &Region, groups: i64) -> RegionLine {
    RegionLine {
        code: r.code.to_string(),
        name: r.name.clone(),
        level: r.code.level().code(),
        kind: r.kind.code(),
        lat: r.lat,
        lng: r.lng,
        groups,
    }
}

/// Resolves a code or a name (ignoring case, spaces and apostrophes) to one region.
pub fn find(input: &str, lang: Lang) -> Result<&'static Region> {
    let tree = RegionTree::official();
    if RegionCode::parse(input).is_ok() {
        return tree
            .resolve(input)
            .map_err(|e| anyhow::anyhow!(e.message(lang)));
    }
    let found = tree.find_by_name(input, None, None);
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let near: Vec<String> = tree
                .search_names(input, 0, 5)
                .regions
                .iter()
                .map(|r| format!("{} {}", r.code, r.name))
                .collect();
            anyhow::bail!(
                "{}",
                lang.pick(
                    &format!(
                        "wilayah \"{input}\" tidak ditemukan; yang mirip: {}",
                        near.join(", ")
                    ),
                    &format!("region \"{input}\" not found; similar: {}", near.join(", ")),
                )
            )
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .take(10)
                .map(|r| format!("{} {} ({})", r.code, r.name, r.kind.label(lang)))
                .collect();
            anyhow::bail!(
                "{}",
                lang.pick(
                    &format!(
                        "nama \"{input}\" cocok dengan beberapa wilayah; sebutkan kodenya: {}",
                        list.join(", ")
                    ),
                    &format!(
                        "the name \"{input}\" matches several regions; give the code: {}",
                        list.join(", ")
                    ),
                )
            )
        }
    }
}

/// The overview of a region: ancestors, itself and children, each with its group count.
pub async fn overview(
    store: &Store,
    region: &Region,
    wave: Option<&str>,
) -> Result<RegionOverview> {
    let tree = RegionTree::official();
    let ancestors: Vec<&Region> = region
        .code
        .ancestors()
        .iter()
        .filter_map(|c| tree.get(c))
        .collect();
    let children = tree.children(&region.code);
    let mut codes: Vec<RegionCode> = ancestors.iter().map(|r| r.code.clone()).collect();
    codes.push(region.code.clone());
    codes.extend(children.iter().map(|r| r.code.clone()));
    let counts = store.group_counts(&codes, wave).await?;
    let count = |c: &RegionCode| {
        counts
            .iter()
            .find(|x| x.code == c.as_str())
            .map(|x| x.groups)
            .unwrap_or(0)
    };
    Ok(RegionOverview {
        region: line(region, count(&region.code)),
        ancestors: ancestors.iter().map(|r| line(r, count(&r.code))).collect(),
        children: children.iter().map(|r| line(r, count(&r.code))).collect(),
        wave: wave.map(str::to_string),
    })
}

/// The provinces with their group counts (the top of the tree).
pub async fn provinces(store: &Store, wave: Option<&str>) -> Result<Vec<RegionLine>> {
    let tree = RegionTree::official();
    let codes: Vec<RegionCode> = tree.provinces().iter().map(|r| r.code.clone()).collect();
    let counts = store.group_counts(&codes, wave).await?;
    Ok(tree
        .provinces()
        .iter()
        .zip(counts)
        .map(|(r, c)| line(r, c.groups))
        .collect())
}
