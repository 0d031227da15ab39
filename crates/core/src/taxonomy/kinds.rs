//! The eight classifications of DOMAIN.md, declared once each through `keyed_enum!`.

keyed_enum! {
    /// How bad a defect is; most severe first.
    pub enum Severity ("severity") {
        Critical => ("critical", "Critical"),
        High => ("high", "High"),
        Medium => ("medium", "Medium"),
        Low => ("low", "Low"),
    }
}

impl Severity {
    /// The weight the default metric definition gives this severity: 8, 4, 2 or 1.
    #[must_use]
    pub const fn default_weight(self) -> u32 {
        match self {
            Severity::Critical => 8,
            Severity::High => 4,
            Severity::Medium => 2,
            Severity::Low => 1,
        }
    }
}

keyed_enum! {
    /// Where a defect was introduced; `Unknown` when nobody knows.
    pub enum Origin ("origin") {
        Requirements => ("requirements", "Requirements"),
        Design => ("design", "Design"),
        Code => ("code", "Code"),
        Configuration => ("configuration", "Configuration"),
        Environment => ("environment", "Environment"),
        Data => ("data", "Data"),
        Unknown => ("unknown", "Unknown"),
    }
}

keyed_enum! {
    /// What kind of fault a defect is.
    pub enum DefectType ("defect type") {
        Functional => ("functional", "Functional"),
        Performance => ("performance", "Performance"),
        Security => ("security", "Security"),
        Data => ("data", "Data"),
        Usability => ("usability", "Usability"),
        Compatibility => ("compatibility", "Compatibility"),
        Other => ("other", "Other"),
    }
}

keyed_enum! {
    /// Who or what noticed the defect.
    pub enum DetectedBy ("detected by") {
        Customer => ("customer", "Customer"),
        Support => ("support", "Support ticket"),
        Monitoring => ("monitoring", "Monitoring / alerting"),
        InternalUser => ("internal_user", "Internal user"),
        ExploratoryTest => ("exploratory_test", "Exploratory testing"),
        AutomatedTest => ("automated_test", "Automated test"),
        Other => ("other", "Other"),
    }
}

keyed_enum! {
    /// The seven escape mechanisms: why a defect got past the gates. A fixed set.
    pub enum Mechanism ("mechanism") {
        NoTest => ("no_test", "No test existed"),
        IneffectiveTest => ("ineffective_test", "Test existed but was ineffective"),
        UnrepresentativeData => ("unrepresentative_data", "Test data was not representative"),
        EnvironmentMismatch => ("environment_mismatch", "Environment mismatch"),
        RequirementAmbiguity => ("requirement_ambiguity", "Requirement ambiguity"),
        MissedReview => ("missed_review", "Human review missed it"),
        BrokenAutomation => ("broken_automation", "Automation broke, was flaky, or was skipped"),
    }
}

impl Mechanism {
    /// The improvement that usually addresses this mechanism, as DOMAIN.md words it.
    #[must_use]
    pub const fn typical_improvement(self) -> &'static str {
        match self {
            Mechanism::NoTest => {
                "add a test at the layer that should catch this class (unit for logic, API for contracts, e2e for critical journeys)"
            }
            Mechanism::IneffectiveTest => {
                "strengthen assertions, cover the edge case, mutation-test the suite"
            }
            Mechanism::UnrepresentativeData => {
                "live-like fixtures, data generation, production-shaped samples"
            }
            Mechanism::EnvironmentMismatch => {
                "parity checks for config, flags, versions, time zones, data volume"
            }
            Mechanism::RequirementAmbiguity => {
                "acceptance criteria with examples, three-amigos review"
            }
            Mechanism::MissedReview => {
                "review checklist for the risk area, second reviewer for risky paths"
            }
            Mechanism::BrokenAutomation => {
                "CI health: quarantine and fix flaky tests, alert on skipped suites"
            }
        }
    }
}

keyed_enum! {
    /// Where an escape review is in its life: draft → in review → classified → closed.
    pub enum ReviewState ("review state") {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Classified => ("classified", "Classified"),
        Closed => ("closed", "Closed"),
    }
}

keyed_enum! {
    /// Where an improvement action stands.
    pub enum ActionStatus ("action status") {
        Proposed => ("proposed", "Proposed"),
        Accepted => ("accepted", "Accepted"),
        InProgress => ("in_progress", "In progress"),
        Done => ("done", "Done"),
        WontDo => ("wont_do", "Won't do"),
    }
}

keyed_enum! {
    /// The rough size of an improvement action.
    pub enum Effort ("effort") {
        S => ("s", "Small"),
        M => ("m", "Medium"),
        L => ("l", "Large"),
    }
}
