//! Who may see and change what (DOMAIN.md §2), as pure functions of the actor.
//!
//! The storage layer turns a [`ProceedingScope`] into a `WHERE` clause, so a record
//! outside the scope is indistinguishable from a missing one (the API answers 404).

use crate::user::Role;

/// The authenticated user on whose behalf an operation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The unit the user belongs to.
    pub unit_id: i64,
    /// The jurisdiction (county, city or province unit) the user's unit belongs to.
    pub jurisdiction_id: i64,
}

/// Which proceedings an actor can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProceedingScope {
    /// Every proceeding registered in this jurisdiction.
    Jurisdiction(i64),
    /// The court liaison's: the litigation (一审, 二审, 再审) of the jurisdiction — not
    /// reconsideration or mediation files, not the units' internal reports or work items.
    Litigation(i64),
    /// Only proceedings where this unit is a party (and within the jurisdiction).
    Unit { jurisdiction_id: i64, unit_id: i64 },
}

impl Actor {
    pub fn proceeding_scope(&self) -> ProceedingScope {
        match self.role {
            Role::UnitClerk | Role::UnitHead => ProceedingScope::Unit {
                jurisdiction_id: self.jurisdiction_id,
                unit_id: self.unit_id,
            },
            Role::CourtLiaison => ProceedingScope::Litigation(self.jurisdiction_id),
            Role::Coordinator | Role::Leader | Role::Auditor => {
                ProceedingScope::Jurisdiction(self.jurisdiction_id)
            }
        }
    }

    /// May create proceedings and disputes, and change those in scope.
    pub fn can_write_cases(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::UnitClerk)
    }

    /// May record hearings and appearances (the unit head confirms their own appearance).
    pub fn can_write_hearings(&self) -> bool {
        matches!(
            self.role,
            Role::Coordinator | Role::UnitClerk | Role::UnitHead
        )
    }

    /// May manage units, users, code lists and the loss rule.
    pub fn can_administer(&self) -> bool {
        self.role == Role::Coordinator
    }

    /// May read statistics, rankings, assessments and circulars of the jurisdiction.
    pub fn can_read_statistics(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Leader | Role::Auditor)
    }

    /// May read the audit log of the whole jurisdiction.
    pub fn can_read_full_audit(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::Auditor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            unit_id: 7,
            jurisdiction_id: 3,
        }
    }

    #[test]
    fn scopes() {
        assert_eq!(
            actor(Role::Coordinator).proceeding_scope(),
            ProceedingScope::Jurisdiction(3)
        );
        assert_eq!(
            actor(Role::Leader).proceeding_scope(),
            ProceedingScope::Jurisdiction(3)
        );
        assert_eq!(
            actor(Role::CourtLiaison).proceeding_scope(),
            ProceedingScope::Litigation(3)
        );
        assert_eq!(
            actor(Role::UnitClerk).proceeding_scope(),
            ProceedingScope::Unit {
                jurisdiction_id: 3,
                unit_id: 7
            }
        );
        assert_eq!(
            actor(Role::UnitHead).proceeding_scope(),
            ProceedingScope::Unit {
                jurisdiction_id: 3,
                unit_id: 7
            }
        );
    }

    #[test]
    fn permissions() {
        assert!(actor(Role::Coordinator).can_administer());
        assert!(!actor(Role::UnitClerk).can_administer());
        assert!(actor(Role::UnitClerk).can_write_cases());
        assert!(!actor(Role::Leader).can_write_cases());
        assert!(!actor(Role::Auditor).can_write_cases());
        assert!(actor(Role::UnitHead).can_write_hearings());
        assert!(actor(Role::Auditor).can_read_full_audit());
        assert!(!actor(Role::UnitHead).can_read_full_audit());
    }
}
