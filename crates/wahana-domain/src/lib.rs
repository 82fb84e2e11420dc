//! wahana's domain: the things a WKSBM registry holds and the rules over them.
//!
//! Pure: no I/O, no database, no HTTP, no clock. Time comes in as an argument.

pub mod codes;
pub mod compare;
mod date;
pub mod demo;
mod error;
pub mod geo;
pub mod instrument;
pub mod linking;
pub mod member;
pub mod network;
pub mod profile;
pub mod region;
pub mod registry;
pub mod screening;
pub mod time;
pub mod xml;

pub use codes::{Code, CodeSet};
pub use date::Date;
pub use error::{DomainError, ErrorCode, FieldError, Lang};
pub use region::{Level, Region, RegionCode, RegionKind, RegionTree};
pub use registry::{Context, Group, Institution, LocalUnit, Network, Tie, Wave, WaveMethod};
pub use time::TimeZone;
