//! The OpenAPI 3.1 document of the API, written by hand beside the handlers it describes. The
//! tests check that every path in it is routed, and CI runs `openapi-spec-validator` on it and
//! `schemathesis` against a live server.

use axum::Json;
use serde_json::{Value, json};

pub async fn document() -> Json<Value> {
    Json(spec())
}

fn err(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn array(of: Value) -> Value {
    json!({"type": "array", "items": of})
}

fn code_param() -> Value {
    json!({"name": "code", "in": "path", "required": true, "description": "Region code (`73.08.21` or `730821`)", "schema": {"type": "string"}, "example": "73.08.21"})
}

/// The wave whose record of a group is meant.
fn group_wave_param() -> Value {
    json!({"name": "wave", "in": "query", "required": false, "description": "Wave id: that wave's record of the group; its latest record when absent", "schema": {"type": "string"}})
}

fn wave_param() -> Value {
    json!({"name": "wave", "in": "query", "required": false, "description": "Wave id; when absent, the region's default: the latest wave holding observations of its groups", "schema": {"type": "string"}})
}

fn limit_param() -> Value {
    json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500}})
}

fn offset_param() -> Value {
    json!({"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 1000000}})
}

fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "K-7308211003-0001"})
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

fn records(summary: &str, schema: &str) -> Value {
    json!({"get": {
        "summary": summary,
        "tags": ["registry"],
        "parameters": [code_param()],
        "responses": {
            "200": ok("The records (at most 5,000)", array(r(schema))),
            "401": err("Not signed in"),
            "403": err("Not allowed in this region"),
            "404": err("No such region")
        }
    }})
}

pub fn spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wahana API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Registry and profile of Indonesia's community-based social-welfare networks (WKSBM). Errors are JSON with a stable `error` code and a `message` in the user's language (`?lang=en` or `Accept-Language: en`; Indonesian by default). Anonymous callers see aggregates only; records need a signed-in user whose region covers them, and personal data (chair, phone, board, contacts) is given only to admins, officers and enumerators of the region.",
            "license": {"name": "MIT", "identifier": "MIT"}
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/v1/session"},
                "session": {"type": "apiKey", "in": "cookie", "name": "wahana_session", "description": "A browser session; writes then need the X-CSRF-Token header"},
                "metrics_token": {"type": "http", "scheme": "bearer", "description": "The server's metrics token (`serve --metrics-token`), for /metrics only"}
            },
            "schemas": schemas()
        },
        "security": [{}, {"bearer": []}, {"session": []}],
        "paths": paths()
    })
}

/// Every `error` code a response may carry.
pub fn schemas() -> Value {
    let error_codes: Vec<&str> = wahana_domain::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    // What each code means, from the same enum (the HTTP status of each is in the responses).
    let error_meanings: String = wahana_domain::ErrorCode::ALL
        .iter()
        .map(|c| format!("- `{}`: {}", c.as_str(), c.meaning()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut m = serde_json::Map::new();
    m.insert(
        "NewRecord".to_string(),
        json!({
            "type": "object",
            "required": ["fields"],
            "additionalProperties": false,
            "properties": {
                "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Instrument columns (docs/instrument.md) as text"},
                "wave": {"type": ["string", "null"], "description": "An open wave; the region's latest open wave when absent"},
                "ikatan_kedua": {"type": "boolean", "default": false, "description": "Ties only: a second tie of another type between two actors already tied is meant. Without it such a tie is refused (`invalid`, field `ikatan_kedua`, naming the types held)."}
            }
        }),
    );
    m.insert("Error".to_string(), json!({
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string", "enum": error_codes, "description": error_meanings},
                        "message": {"type": "string"},
                        "fields": array(json!({
                            "type": "object",
                            "required": ["field", "value", "message"],
                            "properties": {"field": {"type": "string"}, "value": {"type": "string"}, "message": {"type": "string"}}
                        }))
                    }
                }));
    m.insert(
        "RegionLine".to_string(),
        json!({
            "type": "object",
            "required": ["code", "name", "level", "kind", "groups"],
            "properties": {
                "code": {"type": "string"}, "name": {"type": "string"},
                "level": {"type": "string"}, "kind": {"type": "string"},
                "lat": nullable("number"), "lng": nullable("number"),
                "groups": {"type": "integer", "minimum": 0}
            }
        }),
    );
    m.insert(
        "RegionOverview".to_string(),
        json!({
            "type": "object",
            "required": ["region", "ancestors", "children"],
            "properties": {
                "region": r("RegionLine"),
                "ancestors": array(r("RegionLine")),
                "children": array(r("RegionLine")),
                "wave": nullable("string")
            }
        }),
    );
    m.insert(
        "Wave".to_string(),
        json!({
            "type": "object",
            "description": "A survey wave (pendataan) and what it holds (counts only). A closed wave is read-only.",
            "required": ["id", "name", "synthetic", "closed", "holds"],
            "properties": {
                "id": {"type": "string"}, "name": {"type": "string"},
                "region": nullable("string"), "start_date": nullable("string"),
                "end_date": nullable("string"), "source": nullable("string"),
                "method": {"type": ["string", "null"], "enum": ["census", "sample", null]},
                "run_by": nullable("string"),
                "synthetic": {"type": "boolean"},
                "closed": {"type": "boolean"},
                "holds": {
                    "type": "object",
                    "required": ["groups", "villages", "networks", "institutions", "ties"],
                    "properties": {
                        "groups": {"type": "integer", "minimum": 0},
                        "villages": {"type": "integer", "minimum": 0},
                        "networks": {"type": "integer", "minimum": 0},
                        "institutions": {"type": "integer", "minimum": 0},
                        "ties": {"type": "integer", "minimum": 0}
                    }
                }
            }
        }),
    );
    let wave_fields = json!({
        "id": {"type": ["string", "null"], "description": "Lowercase letters, digits and -; made from the name when a wave is added without one; cannot be changed"},
        "name": {"type": ["string", "null"], "maxLength": 200},
        "region": {"type": ["string", "null"], "description": "The area it covered (a region code); empty clears it"},
        "start_date": {"type": ["string", "null"], "description": "Its date, or the first day of its period (2026-08-01); empty clears it"},
        "end_date": {"type": ["string", "null"], "description": "The last day of its period; empty clears it"},
        "source": {"type": ["string", "null"], "maxLength": 500},
        "method": {"type": ["string", "null"], "description": "census (sensus) or sample (sampel); empty clears it"},
        "run_by": {"type": ["string", "null"], "maxLength": 500, "description": "Who ran it (an office, a study team)"},
        "synthetic": {"type": ["boolean", "null"]}
    });
    m.insert(
        "NewWave".to_string(),
        json!({
            "type": "object",
            "required": ["name"],
            "additionalProperties": false,
            "properties": wave_fields.clone()
        }),
    );
    let mut change = wave_fields.as_object().cloned().unwrap_or_default();
    change.insert(
        "closed".into(),
        json!({"type": ["boolean", "null"], "description": "true closes the wave (read-only from then on); false reopens it"}),
    );
    m.insert(
        "WaveChange".to_string(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": change
        }),
    );
    m.insert("Group".to_string(), json!({
                    "type": "object",
                    "description": "A group as held; `chair` and `phone` are null for callers not allowed to see personal data.",
                    "required": ["id", "village", "name", "group_type", "origin", "founded_year", "status", "survey_date", "wave_id", "version", "created_at", "updated_at"],
                    "properties": {
                        "id": {"type": "string"}, "village": {"type": "string"},
                        "local_unit": nullable("string"), "name": {"type": "string"},
                        "group_type": {"type": "string"}, "origin": {"type": "string"},
                        "founded_year": {"type": "integer"},
                        "members_male": nullable("integer"), "members_female": nullable("integer"),
                        "membership_basis": array(json!({"type": "string"})),
                        "purposes": array(json!({"type": "string"})),
                        "activities": array(json!({"type": "string"})),
                        "funding": array(json!({"type": "string"})),
                        "main_funding": nullable("string"), "dues_rupiah": nullable("integer"),
                        "dues_period": nullable("string"),
                        "values": array(json!({"type": "string"})),
                        "meeting_frequency": nullable("string"), "legal_status": nullable("string"),
                        "status": {"type": "string"}, "network": nullable("string"),
                        "chair": nullable("string"), "phone": nullable("string"),
                        "latitude": nullable("number"), "longitude": nullable("number"),
                        "survey_date": {"type": "string"}, "enumerator": nullable("string"),
                        "notes": nullable("string"), "wave_id": {"type": "string"},
                        "version": {"type": "integer"}, "provenance": nullable("string"),
                        "created_at": {"type": "string"}, "updated_at": {"type": "string"}
                    }
                }));
    m.insert(
        "GroupPage".to_string(),
        json!({
            "type": "object",
            "required": ["total", "offset", "limit", "items"],
            "properties": {
                "total": {"type": "integer"}, "offset": {"type": "integer"},
                "limit": {"type": "integer"}, "items": array(r("Group"))
            }
        }),
    );
    m.insert("NewGroup".to_string(), json!({
                    "type": "object",
                    "required": ["fields"],
                    "additionalProperties": false,
                    "properties": {
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Instrument columns (Indonesian names or English aliases) as text, e.g. {\"kode_wilayah\": \"73.08.21.1003\", \"nama\": \"Arisan Mawar\", \"jenis\": \"arisan\", \"asal\": \"tumbuh_masyarakat\", \"tahun_berdiri\": \"1995\"}"},
                        "wave": {"type": ["string", "null"], "description": "An open wave; the village's latest open wave when absent (never one created on the way)"},
                        "allow_duplicate": {"type": "boolean"}
                    }
                }));
    m.insert("GroupChange".to_string(), json!({
                    "type": "object",
                    "required": ["fields", "version"],
                    "additionalProperties": false,
                    "properties": {
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "version": {"type": "integer", "description": "The version the change was made from; a newer save is not overwritten (409 edit_conflict)"}
                    }
                }));
    m.insert("Network".to_string(), json!({
                    "type": "object",
                    "required": ["id", "wave_id", "village", "level", "name"],
                    "properties": {
                        "id": {"type": "string"}, "wave_id": {"type": "string"}, "village": {"type": "string"},
                        "local_unit": nullable("string"), "level": {"type": "string"}, "name": {"type": "string"},
                        "founded_year": nullable("integer"), "chair": nullable("string"),
                        "secretary": nullable("string"), "treasurer": nullable("string"),
                        "phone": nullable("string"), "decree_number": nullable("string"),
                        "decree_date": nullable("string"), "notes": nullable("string")
                    }
                }));
    m.insert("Institution".to_string(), json!({
                    "type": "object",
                    "required": ["id", "wave_id", "region", "kind", "name"],
                    "properties": {
                        "id": {"type": "string"}, "wave_id": {"type": "string"}, "region": {"type": "string"},
                        "kind": {"type": "string"}, "name": {"type": "string"},
                        "address": nullable("string"), "contact": nullable("string"), "phone": nullable("string"),
                        "latitude": nullable("number"), "longitude": nullable("number"), "notes": nullable("string")
                    }
                }));
    m.insert("Tie".to_string(), json!({
                    "type": "object",
                    "required": ["id", "wave_id", "from", "from_kind", "to", "to_kind", "tie_type"],
                    "properties": {
                        "id": {"type": "integer"}, "wave_id": {"type": "string"},
                        "from": {"type": "string"}, "from_kind": {"type": "string"},
                        "to": {"type": "string"}, "to_kind": {"type": "string"},
                        "tie_type": {"type": "string"}, "since": nullable("integer"), "notes": nullable("string")
                    }
                }));
    // One finding of a profile: what every finding has, and its own measures.
    let finding = |own: serde_json::Value| {
        let mut props = json!({
            "holds": {"type": "boolean", "description": "True only when the verdict is `holds`."},
            "verdict": {"type": "string", "enum": ["holds", "does_not_hold", "no_data"], "description": "`no_data` when no group is counted: never `does_not_hold` for want of data."},
            "sentence_id": {"type": "string"}, "sentence_en": {"type": "string"},
            "ci95": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                     "description": "Only for a sample wave: the 95% Wilson interval [low, high] of the finding's main shares, by the share's key."}
        });
        if let (Some(p), Some(o)) = (props.as_object_mut(), own.as_object()) {
            p.extend(o.clone());
        }
        json!({"type": "object", "required": ["holds", "verdict", "sentence_id", "sentence_en"], "properties": props})
    };
    m.insert("Profile".to_string(), json!({
                    "type": "object",
                    "description": "The same object as `wahana profile --format json` (docs/profile-json.md).",
                    "required": ["region", "wave", "rules", "groups_recorded", "groups_qualifying", "coverage", "f1", "f2", "f3", "f4", "f5", "actors"],
                    "properties": {
                        "region": {"type": "object"},
                        "wave": {"type": "object", "properties": {
                            "sample": {"type": "boolean", "description": "The wave is a sample (its method is `sample`): the findings' shares carry 95% Wilson intervals (`ci95`). A census, or a wave that does not say, is not."}
                        }},
                        "rules": {"type": "string"},
                        "groups_recorded": {"type": "integer"}, "groups_qualifying": {"type": "integer"},
                        "coverage": {"type": "object", "properties": {
                            "villages_in_region": {"type": "integer"}, "villages_with_groups": {"type": "integer"},
                            "villages_without_groups": {"type": "integer"}, "share_with_groups": {"type": "number"},
                            "partial": {"type": "boolean", "description": "Groups are recorded in some of the region's villages but not all: every finding is about the villages surveyed, and its sentence says so (\"di 8 dari 372 desa/kelurahan yang didata\")."}
                        }},
                        "f1": finding(json!({
                            "share_older_10": {"type": "number", "description": "Aged 10 years or more at the survey date: the test used (the 2007 study says \"more than 10 years\")."},
                            "share_more_than_10": {"type": "number", "description": "Aged more than 10 years (11 or more) at the survey date: the 2007 study's words, given beside the test, not tested."}
                        })),
                        "f2": finding(json!({
                            "mean": {"type": "number", "description": "Over the villages with recorded groups."},
                            "mean_all_villages": {"type": "number", "description": "Over every village of the region, those without recorded groups counted as zero."},
                            "villages_in_region": {"type": "integer"}
                        })),
                        "f3": finding(json!({"share_integration_or_resilience": {"type": "number", "description": "Kept for earlier clients; the same measure is reported under f4."}})),
                        "f4": finding(json!({"share_integration_or_resilience": {"type": "number", "description": "With community integration or social resilience among their purposes (reported, not required)."}})),
                        "f5": finding(json!({"screening_requires_value": {"type": "boolean", "description": "The rule set already requires a value recorded to qualify, so the shares are among groups recording one."}})),
                        "actors": {"type": "object"}
                    }
                }));
    let fate_counts = json!({
        "continuing": {"type": "integer", "minimum": 0}, "dissolved": {"type": "integer", "minimum": 0},
        "not_refound": {"type": "integer", "minimum": 0}, "new": {"type": "integer", "minimum": 0},
        "survival_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    });
    let compare_wave = json!({
        "type": "object",
        "required": ["id", "name", "date", "synthetic", "observations"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "date": nullable("string"),
            "synthetic": {"type": "boolean"}, "observations": {"type": "integer", "minimum": 0}
        }
    });
    m.insert("Comparison".to_string(), json!({
                    "type": "object",
                    "description": "What changed between two waves of a region; the same object as `wahana compare --format json` (docs/compare-json.md). `groups` (ids and names) is present only for those who may read the region's records.",
                    "required": ["region", "from", "to", "rules", "counts", "survival_rate", "dissolved_before", "by_village", "by_type", "findings"],
                    "properties": {
                        "region": {"type": "object", "required": ["code", "name", "level"],
                                   "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "level": {"type": "string"}}},
                        "from": compare_wave.clone(), "to": compare_wave,
                        "rules": {"type": "string"},
                        "counts": {"type": "object", "required": ["continuing", "dissolved", "not_refound", "new"],
                                   "properties": {
                                       "continuing": {"type": "integer", "minimum": 0}, "dissolved": {"type": "integer", "minimum": 0},
                                       "not_refound": {"type": "integer", "minimum": 0}, "new": {"type": "integer", "minimum": 0}}},
                        "survival_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "dissolved_before": {"type": "integer", "minimum": 0},
                        "by_village": array(json!({"type": "object", "required": ["code", "name", "continuing", "dissolved", "not_refound", "new", "survival_rate"],
                            "properties": fate_counts.clone()})),
                        "by_type": array(json!({"type": "object", "required": ["code", "label_id", "label_en", "continuing", "dissolved", "not_refound", "new", "survival_rate"],
                            "properties": fate_counts})),
                        "groups": array(json!({
                            "type": "object",
                            "required": ["id_from", "id_to", "village", "name_from", "name_to", "fate", "link", "score"],
                            "properties": {
                                "id_from": nullable("string"), "id_to": nullable("string"), "village": {"type": "string"},
                                "name_from": nullable("string"), "name_to": nullable("string"),
                                "fate": {"type": "string", "enum": ["continuing", "dissolved", "not_refound", "new"]},
                                "link": {"type": ["string", "null"], "enum": ["same_id", "matched", "reviewed", null]},
                                "score": nullable("number")
                            }
                        })),
                        "findings": {"type": "object", "description": "The profile's keys (docs/profile-json.md) side by side: numbers as {from, to, change}, other values as {from, to}; lists keyed by code.",
                                     "required": ["f1", "f2", "f3", "f4", "f5"]}
                    }
                }));
    m.insert("NetworkMeasures".to_string(), json!({
                    "type": "object",
                    "description": "The measures of a scope's network (stable keys; `docs/network.md`).",
                    "required": ["scope", "scope_name", "network", "wave", "nodes", "groups", "institutions", "networks", "ties", "ties_leaving_scope", "density", "components", "largest_component", "isolates", "isolated_groups", "degree_mean", "degree_max", "top_brokers", "share_tied_to_institution", "cross_village_ties", "co_membership_ties", "per_node", "implied_membership_ties", "betweenness_computed", "per_node_listed"],
                    "properties": {
                        "scope": {"type": "string"}, "scope_name": {"type": "string"},
                        "network": {"type": ["string", "null"]}, "wave": {"type": ["string", "null"]},
                        "nodes": {"type": "integer", "minimum": 0}, "groups": {"type": "integer", "minimum": 0},
                        "institutions": {"type": "integer", "minimum": 0}, "networks": {"type": "integer", "minimum": 0},
                        "ties": {"type": "integer", "minimum": 0}, "ties_leaving_scope": {"type": "integer", "minimum": 0},
                        "density": {"type": "number", "minimum": 0, "maximum": 1},
                        "components": {"type": "integer", "minimum": 0}, "largest_component": {"type": "integer", "minimum": 0},
                        "isolates": {"type": "integer", "minimum": 0},
                        "isolated_groups": {"type": "array", "items": {"type": "string"}},
                        "degree_mean": {"type": "number", "minimum": 0}, "degree_max": {"type": "integer", "minimum": 0},
                        "top_brokers": {"type": "array", "items": {"type": "object", "required": ["id", "name", "betweenness"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "betweenness": {"type": "number"}}}},
                        "share_tied_to_institution": {"type": "number", "minimum": 0, "maximum": 1},
                        "cross_village_ties": {"type": "integer", "minimum": 0}, "co_membership_ties": {"type": "integer", "minimum": 0},
                        "per_node": {"type": "array", "items": {"type": "object", "required": ["id", "name", "kind", "degree", "betweenness"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["kelompok", "lembaga", "wahana"]}, "degree": {"type": "integer", "minimum": 0}, "betweenness": {"type": "number"}}}},
                        "implied_membership_ties": {"type": "integer", "minimum": 0},
                        "betweenness_computed": {"type": "boolean"}, "per_node_listed": {"type": "boolean"}
                    }
                }));
    m.insert("ScreenReport".to_string(), json!({
                    "type": "object",
                    "description": "Screening of a region: criteria, summary, and (for those who may read records) the groups with their reasons.",
                    "required": ["region", "rules", "criteria", "waves", "summary", "groups"],
                    "properties": {
                        "region": {"type": "string"}, "rules": {"type": "string"},
                        "criteria": {"type": "array"}, "waves": {"type": "array"},
                        "summary": {"type": "object"}, "groups": {"type": "array"}
                    }
                }));
    m.insert("AuditEntry".to_string(), json!({
                    "type": "object",
                    "required": ["id", "at", "actor", "action", "entity_kind", "entity_id"],
                    "properties": {
                        "id": {"type": "integer"}, "at": {"type": "string"}, "actor": {"type": "string"},
                        "action": {"type": "string"}, "entity_kind": {"type": "string"}, "entity_id": {"type": "string"},
                        "region_code": nullable("string"), "before": nullable("string"), "after": nullable("string")
                    }
                }));
    m.insert(
        "SignIn".to_string(),
        json!({
            "type": "object",
            "required": ["name", "password"],
            "properties": {"name": {"type": "string"}, "password": {"type": "string"}}
        }),
    );
    m.insert(
        "Person".to_string(),
        json!({
            "type": "object",
            "required": ["name", "role"],
            "properties": {
                "name": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "officer", "enumerator", "viewer"]},
                "region": nullable("string")
            }
        }),
    );
    m.insert(
        "User".to_string(),
        json!({
            "type": "object",
            "required": ["name", "role", "role_label", "active", "created_at"],
            "properties": {
                "name": {"type": "string"},
                "role": {"type": "string", "enum": ["admin", "officer", "enumerator", "viewer"]},
                "role_label": {"type": "string", "description": "The role in the caller's language"},
                "region": nullable("string"),
                "active": {"type": "boolean", "description": "false: deactivated, no sign-in accepted"},
                "created_at": {"type": "string"}
            }
        }),
    );
    m.insert(
        "NewPassword".to_string(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {"password": {"type": ["string", "null"], "minLength": 8, "description": "At least 8 characters; absent or null: one is generated"}}
        }),
    );
    m.insert(
        "PasswordSet".to_string(),
        json!({
            "type": "object",
            "required": ["user"],
            "properties": {
                "user": r("User"),
                "password": {"type": "string", "description": "The generated password, given this once (absent when one was sent)"}
            }
        }),
    );
    m.insert("Session".to_string(), json!({
                    "type": "object",
                    "required": ["token", "csrf_token", "user"],
                    "properties": {"token": {"type": "string"}, "csrf_token": {"type": "string"}, "user": r("Person")}
                }));
    m.insert("ImportReport".to_string(), json!({
                    "type": "object",
                    "required": ["file", "rows", "written", "rejected", "problems", "problems_total", "committed", "dry_run"],
                    "properties": {
                        "file": {"type": "string"}, "rows": {"type": "integer"}, "written": {"type": "integer"},
                        "rejected": {"type": "integer"}, "problems": array(r("ImportProblem")),
                        "problems_total": {"type": "integer"}, "committed": {"type": "boolean"}, "dry_run": {"type": "boolean"},
                        "table": nullable("string"), "wave": nullable("string"),
                        "created": {"type": "integer"}, "updated": {"type": "integer"},
                        "rejects_file": nullable("string"),
                        "import_id": {"type": "string", "description": "The import's id: its audit entry, and `impor` in the provenance of every record it wrote."},
                        "warnings": array(r("ImportWarning")),
                        "warnings_total": {"type": "integer"},
                        "warning_counts": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "Warnings by code."},
                        "preview": {
                            "type": "object",
                            "description": "The first accepted rows as they will be written: the columns holding a value, and each row's number and values.",
                            "properties": {
                                "columns": array(json!({"type": "string"})),
                                "rows": array(json!({"type": "array", "prefixItems": [{"type": "integer"}, array(json!({"type": "string"}))]}))
                            }
                        }
                    }
                }));
    m.insert("ImportWarning".to_string(), json!({
                    "type": "object",
                    "description": "A value of an accepted row read otherwise than written (written as read; never stops an import).",
                    "required": ["code", "row", "field", "value", "became", "says_id", "says_en"],
                    "properties": {
                        "code": {"type": "string", "enum": ["phone_leading_zero", "day_first_date", "excel_serial_date", "outside_wave"]},
                        "row": {"type": "integer"}, "column": nullable("string"), "field": {"type": "string"},
                        "value": {"type": "string"}, "became": {"type": "string"},
                        "says_id": {"type": "string"}, "says_en": {"type": "string"}
                    }
                }));
    m.insert("Member".to_string(), json!({
                    "type": "object",
                    "description": "A member of a group: personal data.",
                    "required": ["id", "group_id", "name", "role", "person_key", "created_at"],
                    "properties": {
                        "id": {"type": "integer"}, "group_id": {"type": "string"}, "name": {"type": "string"},
                        "role": {"type": "string", "enum": ["ketua", "sekretaris", "bendahara", "anggota"]},
                        "person_key": {"type": "string", "description": "What ties the same person across groups: `k:` and the key given, or `n:` and the normalised name"},
                        "created_at": {"type": "string"}
                    }
                }));
    m.insert("NewMember".to_string(), json!({
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": false,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "role": {"type": ["string", "null"], "enum": ["ketua", "sekretaris", "bendahara", "anggota", null]},
                        "key": {"type": ["string", "null"], "description": "What identifies the person across groups (an id number such as the NIK); the name when absent"}
                    }
                }));
    m.insert("ImportProblem".to_string(), json!({
                    "type": "object",
                    "description": "One problem of an imported file, as `wahana import` reports it.",
                    "required": ["code", "field", "value", "expected_id", "expected_en"],
                    "properties": {
                        "code": {"type": "string", "description": "`invalid_value`, `likely_duplicate`, `actor_not_found`, `outside_region` (an officer's row, held record or tie end outside their region), or a header or read problem's code"},
                        "row": nullable("integer"), "column": nullable("string"),
                        "field": {"type": "string"}, "value": {"type": "string"},
                        "expected_id": {"type": "string"}, "expected_en": {"type": "string"}
                    }
                }));
    inbox_schemas(&mut m);
    Value::Object(m)
}

fn paths() -> Value {
    let mut m = serde_json::Map::new();
    actor_paths(&mut m);
    m.insert("/api/v1/session".to_string(), json!({
                "post": {
                    "summary": "Sign in; returns a Bearer token (and sets the session cookie)",
                    "tags": ["people"],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": r("SignIn")}}},
                    "responses": {
                        "200": ok("Signed in", r("Session")),
                        "400": err("The body does not parse"),
                        "401": err("Wrong name or password"),
                        "403": err("The right password of a deactivated person (account_inactive)"),
                        "429": err("Too many failed sign-ins for this name lately")
                    }
                },
                "get": {
                    "summary": "Who is signed in",
                    "tags": ["people"],
                    "responses": {"200": ok("The person", r("Person")), "401": err("Not signed in")}
                },
                "delete": {
                    "summary": "Sign out",
                    "tags": ["people"],
                    "responses": {"204": {"description": "Signed out"}, "401": err("Not signed in"), "403": err("Missing X-CSRF-Token (cookie sessions)")}
                }
            }));
    wave_paths(&mut m);
    inbox_paths(&mut m);
    user_paths(&mut m);
    m.insert("/api/v1/regions".to_string(), json!({
                "get": {
                    "summary": "The provinces with their group counts",
                    "tags": ["regions"],
                    "parameters": [wave_param()],
                    "responses": {"200": ok("The provinces", array(r("RegionLine"))), "400": err("Bad query")}
                }
            }));
    m.insert("/api/v1/regions/{code}".to_string(), json!({
                "get": {
                    "summary": "A region, its ancestors and its children, with group counts",
                    "tags": ["regions"],
                    "parameters": [code_param(), wave_param()],
                    "responses": {"200": ok("The region", r("RegionOverview")), "400": err("Bad query"), "404": err("No such region")}
                }
            }));
    m.insert("/api/v1/regions/{code}/profile".to_string(), json!({
                "get": {
                    "summary": "The profile of a region (the five findings); `nasional` for the whole country",
                    "tags": ["regions"],
                    "parameters": [code_param(), wave_param()],
                    "responses": {"200": ok("The profile", r("Profile")), "400": err("Bad query"), "404": err("No such region, or no wave holding data")}
                }
            }));
    let measure_param = json!({"name": "measure", "in": "query", "required": false,
        "description": "What colours the map: groups (recorded), per_village (counted groups per surveyed village), coverage (share of villages with groups), f1 to f5 (each finding's share). Default groups.",
        "schema": {"type": "string", "enum": ["groups", "per_village", "coverage", "f1", "f2", "f3", "f4", "f5"]}});
    m.insert("/api/v1/regions/{code}/map.svg".to_string(), json!({
                "get": {
                    "summary": "The map of a region's children (the provinces for `nasional`) drawn with their borders and coloured by a measure, with its legend: SVG, no script. Children without a boundary are points at their centres; those with no recorded group are hatched.",
                    "tags": ["regions"],
                    "parameters": [code_param(), wave_param(), measure_param],
                    "responses": {"200": {"description": "The map", "content": {"image/svg+xml": {"schema": {"type": "string"}}}}, "400": err("Bad query"), "404": err("No such region, or a village (no children to map)"), "422": err("Unknown measure")}
                }
            }));
    m.insert("/api/v1/regions/{code}/measures.geojson".to_string(), json!({
                "get": {
                    "summary": "A region's children as a GeoJSON FeatureCollection for a GIS: each its boundary (or a Point at its centre without one) with its code, name, counts and every measure as properties (null where no group is recorded; shares as fractions of 1).",
                    "tags": ["regions"],
                    "parameters": [code_param(), wave_param()],
                    "responses": {"200": {"description": "The children and their measures", "content": {"application/geo+json": {"schema": {"type": "object"}}}}, "400": err("Bad query"), "404": err("No such region")}
                }
            }));
    m.insert("/api/v1/regions/{code}/compare".to_string(), json!({
                "get": {
                    "summary": "What changed between two waves of a region: each group's fate (continuing, dissolved, not_refound, new) and link, counts by village and group type, the survival rate, and the five findings in both waves. Those who may not read the region's records get no `groups` list.",
                    "tags": ["regions"],
                    "parameters": [code_param(),
                        {"name": "from", "in": "query", "required": true, "description": "The earlier wave's id", "schema": {"type": "string"}},
                        {"name": "to", "in": "query", "required": true, "description": "The later wave's id", "schema": {"type": "string"}}],
                    "responses": {
                        "200": ok("The comparison", r("Comparison")),
                        "400": err("Bad query (from or to missing)"),
                        "404": err("No such region, or no such wave (code wave_not_found)"),
                        "422": err("The same wave twice (same_wave), a wave holding no group in the region (wave_empty), or the whole country (region_required)")
                    }
                }
            }));
    m.insert("/api/v1/regions/{code}/screening".to_string(), json!({
                "get": {
                    "summary": "The screening of a region's groups",
                    "tags": ["regions"],
                    "parameters": [code_param(), wave_param(),
                        {"name": "outcome", "in": "query", "required": false, "schema": {"type": "string", "enum": ["memenuhi", "tidak_memenuhi", "belum_lengkap"]}},
                        limit_param(), offset_param()],
                    "responses": {"200": ok("The screening", r("ScreenReport")), "400": err("Bad query"), "404": err("No such region, or no wave"), "422": err("Bad outcome")}
                }
            }));
    m.insert("/api/v1/regions/{code}/network".to_string(), json!({
                "get": {
                    "summary": "The network of a region (`nasional` for the whole country) or of one WKSBM network in it: nodes, ties, density, components, isolates, degree, betweenness and brokers, ties to institutions and across villages. The same object as `wahana network --format json`. Those who may not read the region's records get every actor named only by kind and number, and may not ask for one network.",
                    "tags": ["network"],
                    "parameters": [code_param(), wave_param(),
                        {"name": "network", "in": "query", "required": false, "description": "One WKSBM network's own graph (its id)", "schema": {"type": "string"}}],
                    "responses": {"200": ok("The measures", r("NetworkMeasures")), "400": err("Bad query"), "403": err("One network asked for by someone who may not read it"), "404": err("No such region, wave or network, or a region too large for a web request (code scope_too_large)"), "422": err("The network lies outside the region")}
                }
            }));
    m.insert(
        "/api/v1/regions/{code}/networks".to_string(),
        json!(records("A region's networks (WKSBM)", "Network")),
    );
    m.insert(
        "/api/v1/regions/{code}/institutions".to_string(),
        json!(records("A region's supporting institutions", "Institution")),
    );
    m.insert(
        "/api/v1/regions/{code}/ties".to_string(),
        json!(records("Ties with an end in a region", "Tie")),
    );
    m.insert("/api/v1/regions/{code}/export".to_string(), json!({
                "get": {
                    "summary": "A region's table as a file in the instrument's format (CSV or XLSX); personal columns (chair, phone, contact, board) blank for callers who may not see the region's personal data",
                    "tags": ["registry"],
                    "parameters": [
                        code_param(),
                        {"name": "table", "in": "query", "required": false, "schema": {"type": "string", "enum": ["kelompok", "ikatan", "lembaga", "wahana"], "default": "kelompok"}},
                        {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["csv", "xlsx"], "default": "csv"}},
                        {"name": "dialect", "in": "query", "required": false, "description": "excel-id: semicolon, UTF-8 byte-order mark, CRLF (what Excel in an Indonesian locale opens directly)", "schema": {"type": "string", "enum": ["standard", "excel-id"], "default": "standard"}},
                        {"name": "english", "in": "query", "required": false, "description": "English column names", "schema": {"type": "boolean"}},
                        wave_param()
                    ],
                    "responses": {
                        "200": {"description": "The file (Content-Disposition: attachment)", "content": {"text/csv": {"schema": {"type": "string"}}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
                        "400": err("Bad query (unknown table, format or dialect)"), "401": err("Not signed in"),
                        "404": err("No such region, or one whose records the caller may not read")
                    }
                }
            }));
    m.insert("/api/v1/template".to_string(), json!({
                "get": {
                    "summary": "The blank XLSX template of a table: one row of headers, drop-down lists on the coded columns, a codebook sheet `kode` (and the villages of `region` for kode_wilayah)",
                    "tags": ["registry"],
                    "parameters": [
                        {"name": "table", "in": "query", "required": false, "schema": {"type": "string", "enum": ["kelompok", "ikatan", "lembaga", "wahana"], "default": "kelompok"}},
                        {"name": "region", "in": "query", "required": false, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "The workbook", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
                        "400": err("Unknown table"), "404": err("No such region")
                    }
                }
            }));
    m.insert("/api/v1/groups".to_string(), json!({
                "get": {
                    "summary": "Groups, one page at a time (within the caller's region)",
                    "tags": ["registry"],
                    "parameters": [
                        {"name": "region", "in": "query", "required": false, "schema": {"type": "string"}},
                        {"name": "name", "in": "query", "required": false, "description": "Part of the name, ignoring case", "schema": {"type": "string"}},
                        {"name": "type", "in": "query", "required": false, "schema": {"type": "string"}},
                        {"name": "status", "in": "query", "required": false, "schema": {"type": "string", "enum": ["aktif", "tidak_aktif", "bubar"]}},
                        wave_param(), limit_param(), offset_param()
                    ],
                    "responses": {
                        "200": ok("One page", r("GroupPage")),
                        "400": err("Bad query"), "401": err("Not signed in"),
                        "403": err("Outside the caller's region"), "422": err("Unknown region, type or status")
                    }
                },
                "post": {
                    "summary": "Add a group (every field checked; likely duplicates refused unless allowed)",
                    "tags": ["registry"],
                    "parameters": [{"name": "X-CSRF-Token", "in": "header", "required": false, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewGroup"), "example": {"fields": {"kode_wilayah": "73.08.21.1003", "nama": "Arisan Mawar", "jenis": "arisan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1995"}}}}},
                    "responses": {
                        "201": ok("Added", r("Group")),
                        "400": err("The body does not parse"), "401": err("Not signed in"),
                        "403": err("Not allowed in this region, or a missing CSRF token"),
                        "404": err("No such wave"),
                        "409": err("Likely duplicate; or the wave named is closed (wave_closed), or none is named and no wave is open (no_open_wave)"), "422": err("Invalid fields, each with what was expected")
                    }
                }
            }));
    m.insert("/api/v1/groups/{id}".to_string(), json!({
                "get": {
                    "summary": "One group, as a wave recorded it (its latest record without `wave`)",
                    "tags": ["registry"],
                    "parameters": [id_param(), group_wave_param()],
                    "responses": {"200": ok("The group", r("Group")), "401": err("Not signed in"), "403": err("Outside the caller's region"), "404": err("No such group")}
                },
                "patch": {
                    "summary": "Change some fields of a group's record in one wave (its latest without `wave`), from the version read",
                    "tags": ["registry"],
                    "parameters": [id_param(), group_wave_param(), {"name": "X-CSRF-Token", "in": "header", "required": false, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": r("GroupChange")}}},
                    "responses": {
                        "200": ok("Saved", r("Group")),
                        "400": err("The body does not parse"), "401": err("Not signed in"),
                        "403": err("Not allowed, or a missing CSRF token"), "404": err("No such group"),
                        "409": err("Changed by someone else since the version read, or the wave is closed"), "422": err("Invalid fields")
                    }
                },
                "delete": {
                    "summary": "Delete a group's record in one wave (with `wave`), or the group with every record, its members and ties",
                    "tags": ["registry"],
                    "parameters": [id_param(), group_wave_param(), {"name": "X-CSRF-Token", "in": "header", "required": false, "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "Deleted"}, "401": err("Not signed in"), "403": err("Not allowed"), "404": err("No such group"), "409": err("The wave is closed")}
                }
            }));
    m.insert("/api/v1/groups/{id}/audit".to_string(), json!({
                "get": {
                    "summary": "A group's audit trail (officers and admins)",
                    "tags": ["registry"],
                    "parameters": [id_param()],
                    "responses": {"200": ok("Newest first", array(r("AuditEntry"))), "401": err("Not signed in"), "403": err("Not allowed"), "404": err("No such group")}
                }
            }));
    m.insert("/api/v1/audit/{id}".to_string(), json!({
                "get": {
                    "summary": "One entry of the audit trail by its number (officers and admins who may read its region's records; an entry of no region, admins only)",
                    "tags": ["registry"],
                    "parameters": [{"name": "id", "in": "path", "required": true, "description": "The entry's number", "schema": {"type": "string"}, "example": "1"}],
                    "responses": {"200": ok("The entry (personal fields blanked for those who may not see them)", r("AuditEntry")), "401": err("Not signed in"), "403": err("Not allowed (viewers, enumerators)"), "404": err("No such entry, or one outside the caller's region")}
                }
            }));
    m.insert("/api/v1/audit/{id}/restore".to_string(), json!({
                "post": {
                    "summary": "Restore the record a delete entry holds (a group, network, institution, tie or member), as it was",
                    "description": "The record is written back with the same id into the same wave (a tie or a member gets a new number), in one write recorded in the trail as `restore`, the tallies kept current. For officers and admins whose region covers the record (a tie: both ends). A group's ties and members deleted with it are not restored.",
                    "tags": ["registry"],
                    "parameters": [{"name": "id", "in": "path", "required": true, "description": "The delete entry's number", "schema": {"type": "string"}, "example": "1"}, csrf_header()],
                    "responses": {
                        "201": ok("Restored", json!({"type": "object", "required": ["kind", "id"], "properties": {
                            "kind": {"type": "string", "enum": ["kelompok", "wahana", "lembaga", "ikatan", "anggota"]},
                            "id": {"type": "string"},
                            "owner_kind": {"type": ["string", "null"], "enum": ["group", "network", "institution", null]},
                            "owner": nullable("string")}})),
                        "401": err("Not signed in"),
                        "403": err("Not allowed in this region, or a missing CSRF token"),
                        "404": err("No such entry, or one outside the caller's region"),
                        "409": err("The id is held again (`already_observed`, `id_taken`, `tie_exists`) or the wave is closed"),
                        "422": err("The entry is no delete of a record held whole, its region or group is gone, or the member is in the group again")
                    }
                }
            }));
    m.insert("/api/v1/groups/{id}/members".to_string(), json!({
                "get": {
                    "summary": "A group's members (personal data: admins, and officers and enumerators of its region)",
                    "tags": ["registry"],
                    "parameters": [id_param()],
                    "responses": {
                        "200": ok("The board first, then by name", array(r("Member"))),
                        "401": err("Not signed in"),
                        "403": err("Not allowed to see personal data here (viewers, other regions)"),
                        "404": err("No such group")
                    }
                },
                "post": {
                    "summary": "Add a member to a group (admins, and officers and enumerators of its region)",
                    "tags": ["registry"],
                    "parameters": [id_param(), csrf_header()],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewMember"), "example": {"name": "Hj. Sitti Aminah", "role": "ketua"}}}},
                    "responses": {
                        "201": ok("Added", r("Member")),
                        "400": err("The body does not parse"), "401": err("Not signed in"),
                        "403": err("Not allowed in this region, or a missing CSRF token"),
                        "404": err("No such group"), "422": err("Invalid name, role or key")
                    }
                }
            }));
    m.insert("/api/v1/groups/{id}/members/{member}".to_string(), json!({
                "delete": {
                    "summary": "Remove a member from a group",
                    "tags": ["registry"],
                    "parameters": [id_param(), {"name": "member", "in": "path", "required": true, "description": "The member's number", "schema": {"type": "string"}, "example": "1"}, csrf_header()],
                    "responses": {"204": {"description": "Removed"}, "401": err("Not signed in"), "403": err("Not allowed, or a missing CSRF token"), "404": err("No such group, or no such member of it")}
                }
            }));
    m.insert("/api/v1/import".to_string(), json!({
                "post": {
                    "summary": "Import one instrument file sent as the body; whole or nothing, every problem listed",
                    "description": "Admins import anywhere. Officers import inside their region's subtree: a row whose village or region lies outside it, a row whose `id` names a record held outside it, and a tie with an end outside it are problems (`outside_region`, with row, column, value and what was expected), and the file is not written. Enumerators, viewers and anonymous callers may not import.",
                    "tags": ["registry"],
                    "parameters": [
                        {"name": "filename", "in": "query", "required": false, "description": "Its extension gives the format (.csv, .xlsx)", "schema": {"type": "string"}},
                        {"name": "wave", "in": "query", "required": false, "schema": {"type": "string"}},
                        {"name": "dry_run", "in": "query", "required": false, "schema": {"type": "boolean"}},
                        {"name": "X-CSRF-Token", "in": "header", "required": false, "schema": {"type": "string"}}
                    ],
                    "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                    "responses": {
                        "200": ok("What the import did", r("ImportReport")),
                        "400": err("Bad query"), "401": err("Not signed in"), "403": err("Not an admin or officer, or a missing CSRF token"),
                        "404": err("The file could not be imported")
                    }
                }
            }));
    ops_paths(&mut m);
    m.insert("/api/openapi.json".to_string(), json!({
                "get": {
                    "summary": "This document",
                    "tags": ["meta"],
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }));
    request_limits(&mut m);
    Value::Object(m)
}

/// The request limits every operation shares (`web/limits.rs`): 422 for a path segment, a query
/// parameter, a `limit` or an `offset` past them; 413 for a body past its size (the import's
/// own, larger, for files).
fn request_limits(m: &mut serde_json::Map<String, Value>) {
    use crate::web::limits as l;
    let line = format!(
        "Past the request limits: a path segment over {} bytes, a query string over {} bytes or {} parameters, a parameter over {} characters, limit outside 1-{}, offset outside 0-{} (code invalid_input, naming the parameter)",
        l::MAX_SEGMENT,
        l::MAX_QUERY,
        l::MAX_PARAMS,
        l::MAX_VALUE,
        l::MAX_LIMIT,
        l::MAX_OFFSET
    );
    let body = format!("A body over {} KB (code too_large)", l::BODY_LIMIT / 1024);
    let upload = format!(
        "A file over {} MB (code too_large)",
        crate::web::pages::import::UPLOAD_LIMIT / (1024 * 1024)
    );
    for (path, ops) in m.iter_mut() {
        let Some(ops) = ops.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            let takes_body = !matches!(method.as_str(), "get" | "head");
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            match responses.get_mut("422") {
                Some(said) => {
                    let before = said["description"].as_str().unwrap_or("").to_string();
                    said["description"] = Value::String(format!("{before}; or {line}"));
                }
                None => {
                    responses.insert("422".to_string(), err(&line));
                }
            }
            if takes_body && !responses.contains_key("413") {
                let said = if path == "/api/v1/import" {
                    &upload
                } else {
                    &body
                };
                responses.insert("413".to_string(), err(said));
            }
        }
    }
}

/// The probes and the metrics (`web/ops.rs`): no sign-in, no personal data.
fn ops_paths(m: &mut serde_json::Map<String, Value>) {
    let text = |desc: &str| json!({"description": desc, "content": {"text/plain": {"schema": {"type": "string"}}}});
    let readiness = |desc: &str| {
        ok(
            desc,
            json!({
                "type": "object",
                "required": ["status"],
                "properties": {
                    "status": {"type": "string", "enum": ["ready", "not_ready"]},
                    "database": {"type": "string", "enum": ["sqlite", "postgres"]},
                    "migration": {"type": "integer", "description": "The latest migration, which the database holds"},
                    "reason": {"type": "string", "enum": ["stopping", "database_timeout", "database_unreachable", "migrations_ahead", "migrations_behind"]},
                    "message": {"type": "string", "description": "Why, in Indonesian"},
                    "message_en": {"type": "string", "description": "Why, in English"}
                }
            }),
        )
    };
    m.insert(
        "/healthz".to_string(),
        json!({
            "get": {
                "summary": "Liveness: the process answers (the database is not asked)",
                "tags": ["operations"],
                "security": [{}],
                "responses": {"200": text("`ok`")}
            }
        }),
    );
    m.insert("/readyz".to_string(), json!({
        "get": {
            "summary": "Readiness: the database answers within 2 s and holds exactly this binary's migrations; 503 otherwise, and while the server stops",
            "tags": ["operations"],
            "security": [{}],
            "responses": {
                "200": readiness("Ready"),
                "503": readiness("Not ready, with the reason")
            }
        }
    }));
    m.insert("/metrics".to_string(), json!({
        "get": {
            "summary": "Metrics in Prometheus' text format: requests by route template and status, latency histograms, the database pool, imports and their rows",
            "description": "Open to peers on this machine or a private network that come straight to the server (not through a proxy: no `Forwarded`, `X-Forwarded-For` or `X-Real-IP`), and to anyone with the server's metrics token as `Authorization: Bearer TOKEN` (`serve --metrics-token`, `WAHANA_METRICS_TOKEN`).",
            "tags": ["operations"],
            "security": [{}, {"metrics_token": []}],
            "responses": {
                "200": text("The metrics (text exposition format 0.0.4)"),
                "403": text("Neither a local peer nor the token")
            }
        }
    }));
}

fn wave_id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "description": "The wave's id", "schema": {"type": "string"}, "example": "demo-2007-sintetis"})
}

fn wave_paths(m: &mut serde_json::Map<String, Value>) {
    m.insert("/api/v1/waves".to_string(), json!({
        "get": {
            "summary": "Survey waves, the latest first, with what each holds",
            "tags": ["waves"],
            "responses": {"200": ok("Every wave", array(r("Wave")))}
        },
        "post": {
            "summary": "Add a wave (admins). New records go into an existing open wave: a wave is only created on purpose",
            "tags": ["waves"],
            "parameters": [csrf_header()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewWave"), "example": {"name": "Pemutakhiran PSKS Bone 2026", "start_date": "2026-08-01", "end_date": "2026-08-31", "method": "census", "run_by": "Dinas Sosial Kabupaten Bone"}}}},
            "responses": {
                "201": ok("Added, open", r("Wave")),
                "400": err("The body does not parse"), "401": err("Not signed in"),
                "403": err("Not an admin, or a missing CSRF token"),
                "409": err("A wave with this id is held (wave_exists)"),
                "422": err("Invalid fields, each with what was expected")
            }
        }
    }));
    m.insert("/api/v1/waves/{id}".to_string(), json!({
        "get": {
            "summary": "One wave with what it holds",
            "tags": ["waves"],
            "parameters": [wave_id_param()],
            "responses": {"200": ok("The wave", r("Wave")), "404": err("No such wave")}
        },
        "patch": {
            "summary": "Change a wave's fields, close it or reopen it (admins). A closed wave's fields change only with `closed: false` (reopened first)",
            "tags": ["waves"],
            "parameters": [wave_id_param(), csrf_header()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": r("WaveChange")}}},
            "responses": {
                "200": ok("Saved", r("Wave")),
                "400": err("The body does not parse"), "401": err("Not signed in"),
                "403": err("Not an admin, or a missing CSRF token"), "404": err("No such wave"),
                "409": err("The wave is closed (wave_closed)"), "422": err("Invalid fields")
            }
        },
        "delete": {
            "summary": "Delete a wave (admins). One holding groups, networks, institutions or ties is refused (wave_not_empty, with what it holds) unless `force=true`: then everything of the wave goes, in one transaction",
            "tags": ["waves"],
            "parameters": [wave_id_param(), csrf_header(),
                {"name": "force", "in": "query", "required": false, "schema": {"type": "boolean"}}],
            "responses": {
                "204": {"description": "Deleted"},
                "400": err("Bad query"), "401": err("Not signed in"),
                "403": err("Not an admin, or a missing CSRF token"), "404": err("No such wave"),
                "409": err("The wave holds records and force was not given (wave_not_empty), or it is closed (wave_closed)")
            }
        }
    }));
}

fn write_responses(created: &str, schema: Value) -> Value {
    json!({
        created: ok("Saved", schema),
        "400": err("The body does not parse"),
        "401": err("Not signed in"),
        "403": err("Not allowed in this region (officers and admins), or a missing CSRF token"),
        "404": err("No such record or wave"),
        "409": err("Changed by someone else since the version read, the same tie again, a closed wave (wave_closed), or no open wave to add to (no_open_wave)"),
        "422": err("Invalid fields, each with what was expected")
    })
}

fn csrf_header() -> Value {
    json!({"name": "X-CSRF-Token", "in": "header", "required": false, "schema": {"type": "string"}})
}

fn actor_paths(m: &mut serde_json::Map<String, Value>) {
    for (plural, schema, what) in [
        ("networks", "Network", "a network (WKSBM)"),
        ("institutions", "Institution", "a supporting institution"),
    ] {
        m.insert(format!("/api/v1/{plural}"), json!({"post": {
            "summary": format!("Add {what}"),
            "tags": ["registry"],
            "parameters": [csrf_header()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewRecord")}}},
            "responses": write_responses("201", r(schema))
        }}));
        m.insert(format!("/api/v1/{plural}/{{id}}"), json!({
            "patch": {
                "summary": format!("Change {what}, from the version read"),
                "tags": ["registry"],
                "parameters": [id_param(), csrf_header()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": r("GroupChange")}}},
                "responses": write_responses("200", r(schema))
            },
            "delete": {
                "summary": format!("Delete {what} and its ties"),
                "tags": ["registry"],
                "parameters": [id_param(), csrf_header()],
                "responses": {"204": {"description": "Deleted"}, "401": err("Not signed in"), "403": err("Not allowed"), "404": err("No such record")}
            }
        }));
    }
    m.insert("/api/v1/ties".into(), json!({"post": {
        "summary": "Add a tie between two actors (groups, networks, institutions)",
        "description": "Admins, and officers whose region covers both ends.",
        "tags": ["registry"],
        "parameters": [csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewRecord")}}},
        "responses": write_responses("201", r("Tie"))
    }}));
    m.insert("/api/v1/ties/{id}".into(), json!({"delete": {
        "summary": "Delete a tie by its number",
        "description": "Admins, and officers whose region covers both ends.",
        "tags": ["registry"],
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, csrf_header()],
        "responses": {"204": {"description": "Deleted"}, "401": err("Not signed in"), "403": err("Not allowed"), "404": err("No such tie")}
    }}));
}

/// The inbox's records: a submission as listed, as opened, and what accepting did.
fn inbox_schemas(m: &mut serde_json::Map<String, Value>) {
    let record = json!({
        "id": {"type": "integer"},
        "instance_id": {"type": "string", "description": "The form instance's `meta/instanceID`"},
        "form_id": {"type": "string"}, "form_version": nullable("string"),
        "region_code": {"type": "string", "description": "The region it was sent to"},
        "village_code": nullable("string"),
        "deprecated_id": nullable("string"), "device_id": nullable("string"),
        "submitted_by": {"type": "string"}, "received_at": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "accepted", "rejected", "replaced"]},
        "reason": nullable("string"), "decided_by": nullable("string"), "decided_at": nullable("string"),
        "wave_id": nullable("string"), "group_id": nullable("string"),
        "files": array(json!({"type": "object", "required": ["name", "content_type", "size"], "properties": {
            "name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"}}}))
    });
    let required = json!([
        "id",
        "instance_id",
        "form_id",
        "region_code",
        "submitted_by",
        "received_at",
        "status",
        "files"
    ]);
    m.insert(
        "Submission".into(),
        json!({
            "type": "object", "description": "A submission from ODK Collect as held",
            "required": required, "properties": record
        }),
    );
    let mut listed = record.as_object().cloned().unwrap_or_default();
    listed.insert(
        "name".into(),
        json!({"type": "string", "description": "The group name the answers give"}),
    );
    m.insert("InboxList".into(), json!({
        "type": "object", "required": ["counts", "items"],
        "properties": {
            "counts": {"type": "object", "required": ["pending", "accepted", "rejected", "replaced"], "properties": {
                "pending": {"type": "integer"}, "accepted": {"type": "integer"},
                "rejected": {"type": "integer"}, "replaced": {"type": "integer"}}},
            "items": array(json!({"type": "object", "required": required, "properties": listed}))
        }
    }));
    let mut detail = record.as_object().cloned().unwrap_or_default();
    detail.insert("answers".into(), array(json!({"type": "object", "required": ["path", "value"], "properties": {
        "path": {"type": "string"}, "value": {"type": "string", "description": "As sent (personal answers shown as ••• to a reader without personal rights)"},
        "edited": {"type": ["string", "null"], "description": "The officer's edit, written on acceptance"}}})));
    detail.insert("group".into(), json!({"type": ["object", "null"], "description": "The group the answers describe (instrument fields), when they validate"}));
    detail.insert(
        "problems".into(),
        array(json!({"type": "object", "properties": {
        "field": {"type": "string"}, "value": {"type": "string"},
        "expected_id": {"type": "string"}, "expected_en": {"type": "string"}}})),
    );
    detail.insert("screening".into(), json!({"type": ["object", "null"], "description": "The default rule set's outcome with its reasons"}));
    detail.insert(
        "matches".into(),
        array(
            json!({"type": "object", "required": ["id", "name", "wave_id", "score"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "wave_id": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1}}}),
        ),
    );
    detail.insert(
        "names_group".into(),
        json!({"type": ["string", "null"], "description": "The group a re-survey form names"}),
    );
    let mut req = required.as_array().cloned().unwrap_or_default();
    for k in ["answers", "problems", "matches"] {
        req.push(json!(k));
    }
    m.insert(
        "SubmissionDetail".into(),
        json!({"type": "object", "required": req, "properties": detail}),
    );
    m.insert("AcceptSubmission".into(), json!({
        "type": "object", "additionalProperties": false,
        "properties": {
            "wave": {"type": ["string", "null"], "description": "An open wave; the region's latest open wave when absent"},
            "target": {"type": ["string", "null"], "description": "`as_sent` (the default: as the form says, else the linking rules), `new` (a new group), or the id of the group it is an observation of"}
        }
    }));
    m.insert(
        "RejectSubmission".into(),
        json!({
            "type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": {"reason": {"type": "string", "minLength": 1}}
        }),
    );
    m.insert(
        "Accepted".into(),
        json!({
            "type": "object", "required": ["submission", "wave", "group_id", "report"],
            "properties": {
                "submission": {"type": "integer"}, "wave": {"type": "string"},
                "group_id": {"type": "string"}, "report": r("ImportReport")
            }
        }),
    );
}

fn submission_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "description": "The submission's number", "schema": {"type": "string"}, "example": "1"})
}

/// The inbox of submissions from ODK Collect (`web/api/inbox.rs`): officers and admins who may
/// read the submission's region; writes need a writer of the region.
fn inbox_paths(m: &mut serde_json::Map<String, Value>) {
    let reads = |what: &str, schema: Value| {
        json!({
            "200": ok(what, schema),
            "401": err("Not signed in"),
            "403": err("Not an officer or admin, or not of this region"),
            "404": err("No such submission, attachment or region (another region's submission is not found)")
        })
    };
    m.insert("/api/v1/regions/{code}/inbox".into(), json!({"get": {
        "summary": "A region's inbox of submissions from ODK Collect, the newest first, with the counts by status",
        "description": "`nasional` as the code: the whole country (admins).",
        "tags": ["inbox"],
        "parameters": [code_param(),
            {"name": "status", "in": "query", "required": false, "schema": {"type": "string", "enum": ["pending", "accepted", "rejected", "replaced", "all"], "default": "pending"}},
            limit_param(), offset_param()],
        "responses": {
            "200": ok("The submissions", r("InboxList")),
            "400": err("Bad query"),
            "401": err("Not signed in"),
            "403": err("Not an officer or admin of this region"),
            "404": err("No such region")
        }
    }}));
    m.insert("/api/v1/submissions/{id}".into(), json!({"get": {
        "summary": "One submission: its answers with the officer's edits, the group they describe, the field problems, the screening and the likely matches",
        "tags": ["inbox"],
        "parameters": [submission_param()],
        "responses": reads("The submission", r("SubmissionDetail"))
    }}));
    let writes = |what: &str, schema: Value| {
        json!({
            "200": ok(what, schema),
            "400": err("The body does not parse"),
            "401": err("Not signed in"),
            "403": err("Not a writer of the submission's region, or a missing CSRF token"),
            "404": err("No such submission or wave"),
            "409": err("Decided already (edit_conflict), or no open wave (no_open_wave)"),
            "422": err("Every problem, each with its field, value and what was expected; nothing written")
        })
    };
    m.insert("/api/v1/submissions/{id}/accept".into(), json!({"post": {
        "summary": "Accept a pending submission into a wave: its answers (with the edits) are imported as a one-row file, with every check of an import",
        "tags": ["inbox"],
        "parameters": [submission_param(), csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": r("AcceptSubmission"), "example": {"wave": "pendataan-2026", "target": "new"}}}},
        "responses": writes("Accepted", r("Accepted"))
    }}));
    m.insert("/api/v1/submissions/{id}/reject".into(), json!({"post": {
        "summary": "Reject a pending submission with a reason (required); it stays readable",
        "tags": ["inbox"],
        "parameters": [submission_param(), csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": r("RejectSubmission")}}},
        "responses": writes("Rejected", r("Submission"))
    }}));
    m.insert("/api/v1/submissions/{id}/answers".into(), json!({"put": {
        "summary": "Set the officer's edits of a pending submission's answers (field path -> value), replacing earlier edits; values equal to the answer as sent are dropped",
        "tags": ["inbox"],
        "parameters": [submission_param(), csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {"type": "string"}}, "example": {"identitas/tahun_berdiri": "1995"}}}},
        "responses": writes("The submission with its edits", r("SubmissionDetail"))
    }}));
    m.insert("/api/v1/submissions/{id}/files/{name}".into(), json!({"get": {
        "summary": "An attachment of a submission (a photo), with its content type, inline",
        "tags": ["inbox"],
        "parameters": [submission_param(), {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {
            "200": {"description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
            "401": err("Not signed in"),
            "403": err("Not an officer or admin"),
            "404": err("No such submission or attachment")
        }
    }}));
}

fn user_name_param() -> Value {
    json!({"name": "name", "in": "path", "required": true, "description": "The person's user name", "schema": {"type": "string"}, "example": "pencacah1"})
}

/// People (`web/api/users.rs`): admins deactivate, reactivate and set passwords.
fn user_paths(m: &mut serde_json::Map<String, Value>) {
    let responses = |what: &str, schema: Value, extra: &[(&str, &str)]| {
        let mut r = json!({
            "200": ok(what, schema),
            "401": err("Not signed in"),
            "403": err("Not an admin, or a missing CSRF token"),
            "404": err("No such person")
        });
        for (status, desc) in extra {
            r[*status] = err(desc);
        }
        r
    };
    m.insert("/api/v1/users/{name}/deactivate".into(), json!({"post": {
        "summary": "Deactivate a person: no sign-in of theirs is accepted any more (pages, API, ODK Collect's Digest and Basic) and their open sessions end at once. An admin cannot deactivate themselves",
        "tags": ["people"],
        "parameters": [user_name_param(), csrf_header()],
        "responses": responses("The person, inactive", r("User"), &[("409", "The caller's own account (own_account)")])
    }}));
    m.insert(
        "/api/v1/users/{name}/activate".into(),
        json!({"post": {
            "summary": "Reactivate a person: they sign in again with the password they had",
            "tags": ["people"],
            "parameters": [user_name_param(), csrf_header()],
            "responses": responses("The person, active", r("User"), &[])
        }}),
    );
    m.insert("/api/v1/users/{name}/password".into(), json!({"post": {
        "summary": "Set a person's password (`{}`: generate one, answered this once). Both its hashes change (Argon2id, and the Digest hash ODK Collect signs in with) and their open sessions end",
        "tags": ["people"],
        "parameters": [user_name_param(), csrf_header()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": r("NewPassword"), "example": {}}}},
        "responses": responses("The password is set", r("PasswordSet"), &[("400", "The body does not parse"), ("422", "A password of fewer than 8 characters")])
    }}));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// The document's error codes are the enum's, each with its meaning.
    #[test]
    fn error_codes_come_from_the_enum() {
        let doc = super::spec();
        let error = &doc["components"]["schemas"]["Error"]["properties"]["error"];
        let listed: Vec<&str> = error["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let all: Vec<&str> = wahana_domain::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(listed, all);
        assert!(listed.contains(&"scope_too_large"));
        let meanings = error["description"].as_str().unwrap();
        for c in wahana_domain::ErrorCode::ALL {
            assert!(
                meanings.contains(&format!("`{}`: {}", c.as_str(), c.meaning())),
                "{c}"
            );
        }
    }
}
