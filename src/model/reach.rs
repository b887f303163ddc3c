//! How to reach support, per program: what the dashboard and the open-case page show.
use crate::sla::{ContactSpec, ProgramSet};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramReach {
    pub program_id: String,
    pub program_name: String,
    pub contact: ContactSpec,
}

impl ProgramReach {
    /// The contact blocks of these programs, each once, in first-seen order; programs that say
    /// nothing about reaching support are left out.
    pub fn of<'a>(programs: &ProgramSet, ids: impl IntoIterator<Item = &'a str>) -> Vec<Self> {
        let mut out: Vec<ProgramReach> = Vec::new();
        for id in ids {
            if out.iter().any(|r| r.program_id == id) {
                continue;
            }
            if let Some((p, c)) = programs
                .get(id)
                .and_then(|p| p.contact.as_ref().map(|c| (p, c)))
            {
                out.push(ProgramReach {
                    program_id: p.id.clone(),
                    program_name: p.name.clone(),
                    contact: c.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_program_once_in_first_seen_order() {
        let ps = ProgramSet::builtin().unwrap();
        let r = ProgramReach::of(
            &ps,
            ["contact-center", "storage-7.1.3", "contact-center", "nope"],
        );
        let ids: Vec<&str> = r.iter().map(|r| r.program_id.as_str()).collect();
        assert_eq!(ids, ["contact-center", "storage-7.1.3"]);
    }
}
