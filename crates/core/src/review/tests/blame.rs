use super::*;

fn phrases(text: &str, people: &[&str]) -> Vec<String> {
    blame_findings(text, people)
        .into_iter()
        .map(|f| f.text)
        .collect()
}

#[test]
fn the_documented_phrases_are_found_in_any_case() {
    assert_eq!(phrases("QA missed it again.", &[]), ["QA missed"]);
    assert_eq!(
        phrases("Someone should have tested harder", &[]),
        ["should have tested"]
    );
    assert_eq!(phrases("A CARELESS change", &[]), ["CARELESS"]);
    assert_eq!(phrases("It was human error", &[]), ["human error"]);
    assert_eq!(phrases("sloppy work", &[]), ["sloppy"]);
}

#[test]
fn every_documented_phrase_is_found_on_its_own() {
    for (phrase, question) in BLAME_PHRASES {
        let f = blame_findings(&format!("Note: {phrase}."), &[]);
        assert_eq!(f.len(), 1, "{phrase}");
        assert_eq!(f[0].text, *phrase);
        assert_eq!(f[0].kind, BlameKind::Phrase);
        assert!(f[0].question.ends_with('?'));
        assert_eq!(*question, f[0].question);
    }
}

#[test]
fn words_are_matched_whole_not_inside_other_words() {
    assert!(phrases("Blameless reviews help", &[]).is_empty());
    assert!(phrases("the carelessness-free zone", &[]).len() == 1);
    assert!(phrases("a carelessly", &[]) == ["carelessly"]);
    assert!(phrases("flazy lazyness", &[]).is_empty());
}

#[test]
fn system_focused_text_has_no_findings() {
    assert!(
        blame_findings(
            "No contract test covered the coupon total; the staging data had no expired coupons.",
            &["Dana Reyes"]
        )
        .is_empty()
    );
}

#[test]
fn spacing_and_curly_apostrophes_do_not_hide_a_phrase() {
    assert_eq!(
        phrases("they should\n  have   caught it", &[]),
        ["should\n  have   caught"]
    );
    assert_eq!(phrases("we didn’t bother", &[]), ["didn’t bother"]);
}

#[test]
fn the_longest_overlapping_phrase_wins() {
    let f = blame_findings("nobody is to blame", &[]);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "to blame");
}

#[test]
fn team_members_names_are_found_in_full_or_by_capitalised_first_name() {
    let people = ["Dana Reyes", "Al Po"];
    let f = blame_findings("dana reyes merged it; Dana said so", &people);
    assert_eq!(
        f.iter()
            .map(|f| (f.text.as_str(), f.kind))
            .collect::<Vec<_>>(),
        [
            ("dana reyes", BlameKind::Person),
            ("Dana", BlameKind::Person)
        ]
    );
    assert!(
        phrases("the dana field", &people).is_empty(),
        "lower-case first name"
    );
    assert!(
        phrases("Al said", &people).is_empty(),
        "short first names are ignored"
    );
}

#[test]
fn offsets_point_at_the_passage_even_after_multibyte_text() {
    let text = "Ümlaut first — then QA missed it";
    let f = blame_findings(text, &[]);
    assert_eq!(&text[f[0].start..f[0].start + f[0].text.len()], "QA missed");
}

#[test]
fn findings_come_in_text_order() {
    let f = blame_findings("sloppy, careless and lazy", &[]);
    let starts: Vec<usize> = f.iter().map(|f| f.start).collect();
    assert_eq!(starts, [0, 8, 21]);
}
