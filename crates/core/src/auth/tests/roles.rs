//! Roles, permissions and a user's standing toward a team.

use super::*;

use Permission::{ManageCatalog, ManageMembers, Read, WriteActions, WriteDefects, WriteReviews};

/// The issue's table, written out in full: (role, permission, allowed).
const TABLE: &[(Role, Permission, bool)] = &[
    (Role::Viewer, Read, true),
    (Role::Viewer, WriteDefects, false),
    (Role::Viewer, WriteReviews, false),
    (Role::Viewer, WriteActions, false),
    (Role::Viewer, ManageMembers, false),
    (Role::Viewer, ManageCatalog, false),
    (Role::Editor, Read, true),
    (Role::Editor, WriteDefects, true),
    (Role::Editor, WriteReviews, true),
    (Role::Editor, WriteActions, true),
    (Role::Editor, ManageMembers, false),
    (Role::Editor, ManageCatalog, false),
    (Role::TeamAdmin, Read, true),
    (Role::TeamAdmin, WriteDefects, true),
    (Role::TeamAdmin, WriteReviews, true),
    (Role::TeamAdmin, WriteActions, true),
    (Role::TeamAdmin, ManageMembers, true),
    (Role::TeamAdmin, ManageCatalog, true),
];

#[test]
fn role_keys_round_trip_and_match_the_issue() {
    assert_eq!(
        keys_after_checking::<Role>(),
        ["viewer", "editor", "team_admin"]
    );
}

#[test]
fn role_labels_read_as_people_say_them() {
    let labels: Vec<&str> = Role::ALL.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["Viewer", "Editor", "Team admin"]);
    assert_eq!(
        "owner".parse::<Role>().unwrap_err().to_string(),
        "unknown role key `owner`"
    );
}

#[test]
fn the_table_covers_every_role_and_permission_exactly_once() {
    assert_eq!(TABLE.len(), Role::ALL.len() * Permission::ALL.len());
    for &role in Role::ALL {
        for &permission in Permission::ALL {
            let rows = TABLE
                .iter()
                .filter(|(r, p, _)| *r == role && *p == permission)
                .count();
            assert_eq!(rows, 1, "{role:?} × {permission:?}");
        }
    }
}

#[test]
fn every_role_allows_exactly_what_the_table_says() {
    for &(role, permission, allowed) in TABLE {
        assert_eq!(
            role.allows(permission),
            allowed,
            "{role:?} × {permission:?}"
        );
        assert_eq!(
            Access::Member(role).can(permission),
            allowed,
            "member {role:?} × {permission:?}"
        );
    }
}

#[test]
fn each_role_allows_everything_the_role_before_it_allows() {
    for pair in Role::ALL.windows(2) {
        for &permission in Permission::ALL {
            assert!(!pair[0].allows(permission) || pair[1].allows(permission));
        }
    }
}

#[test]
fn permissions_are_listed_once_each_in_declaration_order() {
    assert_eq!(Permission::ALL.len(), 6);
    assert!(Permission::ALL.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn an_instance_admin_can_do_everything_whatever_their_membership() {
    for membership in [
        None,
        Some(Role::Viewer),
        Some(Role::Editor),
        Some(Role::TeamAdmin),
    ] {
        let access = Access::for_user(true, membership);
        assert_eq!(access, Access::InstanceAdmin);
        assert!(access.can_see());
        for &permission in Permission::ALL {
            assert!(access.can(permission), "{membership:?} × {permission:?}");
        }
        assert_eq!(access.role(), None);
    }
}

#[test]
fn a_member_stands_by_their_role() {
    for &role in Role::ALL {
        let access = Access::for_user(false, Some(role));
        assert_eq!(access, Access::Member(role));
        assert_eq!(access.role(), Some(role));
        assert!(access.can_see());
    }
}

#[test]
fn a_non_member_can_neither_see_nor_do_anything() {
    let access = Access::for_user(false, None);
    assert_eq!(access, Access::NotMember);
    assert!(!access.can_see());
    assert_eq!(access.role(), None);
    for &permission in Permission::ALL {
        assert!(!access.can(permission), "{permission:?}");
    }
}

#[test]
fn roles_serialize_as_their_keys() {
    assert_eq!(
        serde_json::to_string(&Role::TeamAdmin).unwrap(),
        "\"team_admin\""
    );
    assert!(serde_json::from_str::<Role>("\"Team admin\"").is_err());
}
