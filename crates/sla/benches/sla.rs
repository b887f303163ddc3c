//! SLA engine throughput (`make bench`). Budget: ≥ 1,000,000 business-hours due-time computations
//! per second per core.
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use portal_sla::{case_deadlines, CaseFacts, ProgramSet, Severity};

fn openings() -> Vec<DateTime<Utc>> {
    // A week of openings every 37 minutes: inside hours, evenings, weekends.
    let start = Utc
        .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .single()
        .expect("valid start");
    (0..272)
        .map(|i| start + Duration::minutes(37 * i))
        .collect()
}

fn business_hours_target(c: &mut Criterion) {
    let programs = ProgramSet::builtin().expect("built-in programs");
    let program = programs.get("storage-classic").expect("storage-classic");
    let calendar = program
        .calendar("America/New_York", vec![])
        .expect("calendar");
    let opens = openings();
    let mut group = c.benchmark_group("sla");
    group.throughput(Throughput::Elements(opens.len() as u64));
    group.bench_function("business_hour_due", |b| {
        b.iter(|| {
            for &t in &opens {
                black_box(calendar.add_business(black_box(t), Duration::hours(1)).ok());
            }
        })
    });
    group.bench_function("case_deadlines", |b| {
        let severity = Severity::new(3).expect("severity");
        let facts: Vec<CaseFacts> = opens
            .iter()
            .map(|&t| {
                CaseFacts::opened("storage-classic", "basic", "America/New_York", t, severity)
            })
            .collect();
        b.iter(|| {
            for f in &facts {
                black_box(case_deadlines(&programs, f).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, business_hours_target);
criterion_main!(benches);
