//! Step 2, the investigation checklist: Yes / No / Unknown with a note per question, and
//! the two follow-ups; the answers suggest mechanisms on the next steps.

use std::collections::BTreeMap;

use escapement_core::review::{Answer, Question, Step, answer_field, note_field};
use escapement_storage::reviews::ReviewEscape;
use serde::Serialize;

use super::frame::{StepKind, Workspace};
use crate::page::Ctx;
use crate::page::Done;
use crate::page::views::Opt;

/// The checklist step.
pub struct Checklist;

#[derive(Serialize)]
pub struct QuestionView {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    follow_up: bool,
    answer_field: &'static str,
    note_field: &'static str,
    answer: String,
    note: String,
    options: Vec<Opt>,
}

#[derive(Serialize)]
pub struct ChecklistView {
    questions: Vec<QuestionView>,
}

/// The answer and note fields of a submitted checklist form, nothing else.
pub fn answers_of(form: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    form.iter()
        .filter(|(k, _)| k.starts_with("answer_") || k.starts_with("note_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl StepKind for Checklist {
    const STEP: Step = Step::Checklist;
    const DONE: Done = Done::ChecklistSaved;
    const TEMPLATE: &'static str = "reviews/steps/checklist.html";
    /// The answer and note fields as typed.
    type Input = BTreeMap<String, String>;
    type View = ChecklistView;

    fn view(_: &Ctx, ws: &Workspace, input: Option<&Self::Input>) -> ChecklistView {
        let saved = Self::saved(ws.escape());
        let values = input.unwrap_or(&saved);
        let value = |field: &str| values.get(field).cloned().unwrap_or_default();
        let questions = Question::ALL
            .iter()
            .map(|&q| QuestionView {
                key: q.key(),
                label: q.label(),
                hint: q.hint(),
                follow_up: q.is_follow_up(),
                answer_field: answer_field(q),
                note_field: note_field(q),
                answer: value(answer_field(q)),
                note: value(note_field(q)),
                options: Answer::ALL
                    .iter()
                    .map(|&a| Opt {
                        value: a.key().to_owned(),
                        label: q.answer_label(a).to_owned(),
                    })
                    .collect(),
            })
            .collect();
        ChecklistView { questions }
    }

    fn saved(e: &ReviewEscape) -> Self::Input {
        let mut map = BTreeMap::new();
        for &q in Question::ALL {
            let answer = e.checklist.answer(q).map(|a| a.key().to_owned());
            map.insert(answer_field(q).to_owned(), answer.unwrap_or_default());
            map.insert(note_field(q).to_owned(), e.checklist.note(q).to_owned());
        }
        map
    }

    fn labels() -> Vec<(&'static str, String)> {
        Question::ALL
            .iter()
            .flat_map(|&q| {
                [
                    (answer_field(q), q.label().to_owned()),
                    (note_field(q), format!("Note: {}", q.label())),
                ]
            })
            .collect()
    }

    fn written(input: &BTreeMap<String, String>) -> Vec<&str> {
        input
            .iter()
            .filter(|(field, _)| field.starts_with("note_"))
            .map(|(_, note)| note.as_str())
            .collect()
    }

    fn narrative(view: &ChecklistView) -> Vec<(&'static str, String)> {
        view.questions
            .iter()
            .map(|q| (q.label, q.note.clone()))
            .collect()
    }
}
