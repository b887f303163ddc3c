//! The seed documents themselves (quoted words are verbatim) and the program files that encode
//! them: loading, errors that name the file and the field, overrides from a directory.

use super::*;

/// The seed documents are versioned with the code (`docs/seeds/`), so this check always runs.
fn seeds_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/seeds")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every quoted `document_words` (split at sentence ends) appears in its seed document, so the UI
/// shows the document's words and not a paraphrase.
#[test]
fn document_words_are_verbatim_seed_text() {
    let dir = seeds_dir();
    for p in programs().iter() {
        let seed = squash(&std::fs::read_to_string(dir.join(&p.source_document)).unwrap());
        let mut quotes: Vec<(String, &str)> = vec![
            (
                "business_hours".into(),
                p.business_hours.document_words.as_str(),
            ),
            (
                "severity_raise".into(),
                p.severity_raise.document_words.as_str(),
            ),
            (
                "waiting_on_customer".into(),
                p.waiting_on_customer.document_words.as_str(),
            ),
        ];
        for t in &p.severity_tables {
            for r in &t.rows {
                quotes.push((format!("{} {} definition", t.id, r.severity), &r.definition));
                for c in &r.initial_response {
                    quotes.push((
                        format!("{} {} initial response", t.id, r.severity),
                        &c.document_words,
                    ));
                }
                if !r.update.document_words.starts_with('(') {
                    quotes.push((
                        format!("{} {} update", t.id, r.severity),
                        &r.update.document_words,
                    ));
                }
                if let Some(rest) = &r.restoration {
                    quotes.push((
                        format!("{} {} restoration", t.id, r.severity),
                        &rest.document_words,
                    ));
                }
            }
        }
        for pl in &p.plans {
            if let Some(d) = &pl.delivery {
                quotes.push((format!("plan {} delivery", pl.id), &d.document_words));
            }
            for item in &pl.package {
                quotes.push((
                    format!("plan {} package {:?}", pl.id, item.feature),
                    &item.document_words,
                ));
            }
        }
        if let Some(r) = &p.stale_case {
            quotes.push(("stale_case".into(), &r.document_words));
        }
        if let Some(r) = &p.resolution_proposed_auto_close {
            quotes.push(("resolution_proposed_auto_close".into(), &r.document_words));
        }
        if let Some(r) = &p.rca {
            quotes.push(("rca".into(), &r.document_words));
        }
        if let Some(r) = &p.reinstatement {
            quotes.push(("reinstatement".into(), &r.document_words));
        }
        for c in p.contact.iter().flat_map(|c| &c.channels) {
            quotes.push((format!("contact channel {}", c.label), &c.document_words));
        }
        for (what, words) in quotes {
            for piece in squash(words).split(". ") {
                assert!(
                    seed.contains(
                        piece
                            .trim_start_matches("Portworx: ")
                            .trim_start_matches("Everpure: ")
                    ),
                    "{}: {what}: `{piece}` is not in {}",
                    p.id,
                    p.source_document
                );
            }
        }
    }
}

#[test]
fn builtin_programs_load() {
    let ps = programs();
    let ids: Vec<&str> = ps.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["storage-classic", "storage-7.1.3", "contact-center"]);
    let plans = |id: &str| {
        ps.get(id)
            .unwrap()
            .plans
            .iter()
            .map(|p| p.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        plans("storage-classic"),
        ["basic", "next-business-day", "four-hour"]
    );
    assert_eq!(plans("storage-7.1.3"), ["basic", "advanced", "premium"]);
    assert_eq!(plans("contact-center"), ["standard"]);
    // Round trip: what the server serves the browser parses back to the same program.
    for p in ps.iter() {
        let back = Program::from_json("x.json", &serde_json::to_string(p).unwrap()).unwrap();
        assert_eq!(&back, p);
    }
}

#[test]
fn a_wrong_file_names_the_file_and_the_field() {
    let good = serde_json::to_value(programs().get("storage-classic").unwrap()).unwrap();
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][2]["initial_response"][0]["target"]["amount"] = 0.into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())]).unwrap_err();
    assert_eq!(e.to_string(), "program file `acme.json`: field `severity_tables[0].rows[2].initial_response[0].target.amount`: must be positive");
    let mut bad = good.clone();
    bad["plans"][1]["delivery"]["kind"] = "tomorrow".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("acme.json") && e.contains("unknown variant `tomorrow`"),
        "{e}"
    );
    let mut bad = good.clone();
    bad["business_hours"]["hours"][0]["end"] = "07:00".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("business_hours.hours[0].end"), "{e}");
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][0]["severity"] = 5.into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("severity must be 1 to 4"), "{e}");
    let mut bad = good.clone();
    bad["severity_tables"][0]["rows"][0]["colour"] = "red".into();
    let e = ProgramSet::from_json_files(&[("acme.json", &bad.to_string())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `colour`"), "{e}");
    let e = ProgramSet::from_json_files(&[
        ("a.json", &good.to_string()),
        ("b.json", &good.to_string()),
    ])
    .unwrap_err();
    assert!(matches!(e, SlaError::DuplicateProgram { .. }));
    let e = ProgramSet::from_json_files(&[("broken.json", "{")])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("program file `broken.json`"), "{e}");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn from_dir_overrides_builtin_programs() {
    let dir = std::env::temp_dir().join(format!("sla-programs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut p = programs().get("contact-center").unwrap().clone();
    p.name = "Overridden".into();
    std::fs::write(dir.join("cc.json"), serde_json::to_string(&p).unwrap()).unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let set = ProgramSet::from_dir(&dir).unwrap();
    assert_eq!(set.len(), 3);
    assert_eq!(set.get("contact-center").unwrap().name, "Overridden");
    std::fs::write(dir.join("zz.json"), "{\"id\": 3}").unwrap();
    let e = ProgramSet::from_dir(&dir).unwrap_err().to_string();
    assert!(e.contains("zz.json"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_names_are_clear_errors() {
    let ps = programs();
    let mut f = facts("storage-classic", "gold", 1, WED_10);
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err().to_string(),
        "program `storage-classic` has no plan `gold` (plans: basic, next-business-day, four-hour)"
    );
    f.plan_id = "basic".into();
    f.tz = "Mars/Olympus".into();
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err(),
        SlaError::UnknownTimeZone("Mars/Olympus".into())
    );
    f.program_id = "nope".into();
    assert_eq!(
        case_deadlines(&ps, &f).unwrap_err(),
        SlaError::UnknownProgram("nope".into())
    );
    let mut f = facts("storage-classic", "basic", 1, WED_10);
    f.severity_history.clear();
    assert!(matches!(
        case_deadlines(&ps, &f),
        Err(SlaError::InvalidFacts(_))
    ));
    assert!(Severity::new(0).is_err() && Severity::new(5).is_err());
}
