//! The result of one run: samples, rungs, events and the outcome.

use std::io::Write;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::events::{Event, EventKind, Outcome};
use crate::error::{Error, Result};

/// One simulated run.
///
/// Serializes to the JSON of `docs/model.md` §5 ("Outputs of a run"): `t`, `x` (actor → series), `rung`
/// (actor → series), `events`, `outcome`, `explosion_time`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Actor names, in state order.
    pub actors: Vec<String>,
    /// Sample times, days.
    pub t: Vec<f64>,
    /// `x[i][k]`: intensity of actor `i` at `t[k]`.
    pub x: Vec<Vec<f64>>,
    /// `rung[i][k]`: rung of actor `i` at `t[k]` (with hysteresis).
    pub rung: Vec<Vec<usize>>,
    /// What happened, in time order.
    pub events: Vec<Event>,
    /// How the run ended.
    pub outcome: Outcome,
    /// When the top rung was reached (or the state overflowed), days.
    pub explosion_time: Option<f64>,
    /// For each phase with a `verify` window: did it pass its quiet-for-quiet test?
    pub verification: Vec<(String, bool)>,
    /// The state at the end of the run (at the explosion, if any).
    pub final_x: Vec<f64>,
    /// The time the run ended, days.
    pub end_time: f64,
    /// `∫ x_i dt` over the run per actor, intensity·days: the price of the
    /// run's escalation.
    pub cost: Vec<f64>,
    /// Days with every actor on rung 0 (a negative peace).
    pub quiet_days: f64,
    /// Heat of each actor's hardliners at the sample times, in the order of
    /// [`crate::model::Model::hardliners`] (empty without hardliners).
    pub hardliners: Vec<Vec<f64>>,
    /// The actor (index) of each series of `hardliners`.
    pub hardliner_actors: Vec<usize>,
}

impl Trajectory {
    /// The state at the end of the run.
    #[must_use]
    pub fn final_state(&self) -> &[f64] {
        &self.final_x
    }

    /// When the run's outcome was decided, days: the explosion, the first
    /// collapse, the first extension, the end of the last phase that expired;
    /// the end of the run when no phase began (or one held to the horizon).
    #[must_use]
    pub fn outcome_time(&self) -> f64 {
        let first =
            |f: fn(&EventKind) -> bool| self.events.iter().find(|e| f(&e.kind)).map(|e| e.t);
        let t = match self.outcome {
            Outcome::Exploded => self.explosion_time,
            Outcome::Collapsed => first(|k| matches!(k, EventKind::Collapse { .. })),
            Outcome::Extended => first(|k| matches!(k, EventKind::Extended { .. })),
            Outcome::Expired => self
                .events
                .iter()
                .rev()
                .find(|e| matches!(e.kind, EventKind::PhaseEnd { .. }))
                .map(|e| e.t),
            Outcome::None => None,
        };
        t.unwrap_or(self.end_time)
    }

    /// Series of actor `name`, if present.
    #[must_use]
    pub fn series(&self, name: &str) -> Option<&[f64]> {
        self.actors
            .iter()
            .position(|a| a == name)
            .map(|i| self.x[i].as_slice())
    }

    /// True when every verification window in the run passed (and there was at least one).
    #[must_use]
    pub fn verification_passed(&self) -> Option<bool> {
        if self.verification.is_empty() {
            None
        } else {
            Some(self.verification.iter().all(|(_, ok)| *ok))
        }
    }

    /// Pretty JSON with the keys of `docs/model.md` §5.
    ///
    /// # Errors
    /// [`Error::Numerical`] if a value has no JSON form (never for a finished run).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::numerical(format!("JSON output: {e}")))
    }

    /// Writes CSV: `t`, then one intensity column per actor, then one rung
    /// column per actor (`rung_NAME`). Names are quoted as RFC 4180 requires
    /// (an actor name may hold commas, quotes or line breaks).
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn write_csv<W: Write>(&self, out: W) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| Error::Io {
            action: "cannot write",
            path: "CSV output".into(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut header = vec!["t".to_string()];
        header.extend(self.actors.iter().cloned());
        header.extend(self.actors.iter().map(|a| format!("rung_{a}")));
        w.write_record(&header).map_err(io)?;
        // Shortest round-trip form, in scientific notation where that is
        // long (1e300, 1e-300), so every value reads back to the same bits.
        let num = |v: f64| {
            let plain = format!("{v}");
            if plain.len() <= 32 {
                plain
            } else {
                format!("{v:e}")
            }
        };
        for k in 0..self.t.len() {
            let mut row = vec![num(self.t[k])];
            row.extend(self.x.iter().map(|s| num(s[k])));
            row.extend(self.rung.iter().map(|s| s[k].to_string()));
            w.write_record(&row).map_err(io)?;
        }
        w.flush().map_err(|source| Error::Io {
            action: "cannot write",
            path: "CSV output".into(),
            source,
        })
    }

    /// The CSV as a string.
    ///
    /// # Errors
    /// As [`Trajectory::write_csv`].
    pub fn to_csv(&self) -> Result<String> {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)?;
        String::from_utf8(buf).map_err(|e| Error::numerical(e.to_string()))
    }
}

/// Values keyed by actor name, in the actors' order.
struct ByActor<'a, T>(&'a [String], &'a [T]);

impl<T: Serialize> Serialize for ByActor<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, series) in self.0.iter().zip(self.1) {
            m.serialize_entry(name, series)?;
        }
        m.end()
    }
}

impl Serialize for Trajectory {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Trajectory", 10)?;
        st.serialize_field("t", &self.t)?;
        st.serialize_field("x", &ByActor(&self.actors, &self.x))?;
        st.serialize_field("rung", &ByActor(&self.actors, &self.rung))?;
        st.serialize_field("events", &self.events)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.serialize_field("explosion_time", &self.explosion_time)?;
        st.serialize_field("verification_passed", &self.verification_passed())?;
        st.serialize_field("cost", &ByActor(&self.actors, &self.cost))?;
        st.serialize_field("quiet_days", &self.quiet_days)?;
        if !self.hardliners.is_empty() {
            let names: Vec<String> = self
                .hardliner_actors
                .iter()
                .map(|&i| self.actors.get(i).cloned().unwrap_or_default())
                .collect();
            st.serialize_field("hardliners", &ByActor(&names, &self.hardliners))?;
        }
        st.end()
    }
}
