//! Who may do what: each action is open to some roles, inside the user's region subtree.
//! Checked in one place (the service layer), never per handler.

use crate::case::Case;
use crate::lifecycle::ActionKind;
use crate::org::{Role, Staff};
use crate::region::RegionCode;

/// Whether `role` may perform `action` on a case.
pub fn may(role: Role, action: ActionKind) -> bool {
    use ActionKind as K;
    use Role as R;
    if role == R::Admin {
        return true;
    }
    let roles: &[Role] = match action {
        K::Register => &[R::Clerk, R::Dispatcher, R::GridWorker],
        K::Accept | K::Reject => &[R::Clerk, R::Dispatcher],
        K::Assign | K::Archive => &[R::Dispatcher],
        K::StartMediation | K::ReachAgreement | K::FailMediation | K::Close => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::EscalateLevel | K::EscalateTier | K::Refer => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::ApplyConfirmation => &[R::Mediator, R::Dispatcher],
        K::Confirm | K::DenyConfirmation => &[R::Judge],
        K::FollowUp => &[R::FollowUp],
        K::Withdraw => &[R::Clerk, R::Dispatcher, R::Mediator],
        K::Reclassify => &[R::Dispatcher, R::Clerk],
        K::AssessRisk => &[R::Dispatcher, R::Leader],
        K::Return => &[R::Mediator, R::DepartmentHandler],
        K::CompleteTask | K::ReturnTask => &[R::DepartmentHandler, R::Mediator, R::Dispatcher],
        K::Merge | K::MergeInto => &[R::Dispatcher, R::Clerk],
        K::Suspend | K::Resume | K::RequestExtension => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::ApproveExtension | K::DenyExtension => &[R::Leader],
        K::Reopen => &[R::FollowUp, R::Dispatcher],
        K::ScheduleSession | K::RecordSession | K::CancelSession => {
            &[R::Mediator, R::DepartmentHandler, R::Dispatcher]
        }
        K::DraftAgreement => &[R::Mediator, R::Dispatcher],
        K::SignAgreement => &[R::Mediator, R::Clerk, R::Dispatcher],
    };
    roles.contains(&role)
}

/// A user acts in their home region's subtree and nowhere else.
pub fn in_scope(home: &RegionCode, case_region: &RegionCode) -> bool {
    home.contains(case_region)
}

/// Whether `role` may be shown a party's full phone and ID numbers (each time recorded):
/// those who call, summon or identify the parties. Leaders, grid workers and
/// administrators work with the masked values.
pub fn may_see_personal_data(role: Role) -> bool {
    matches!(
        role,
        Role::Clerk
            | Role::Dispatcher
            | Role::Mediator
            | Role::DepartmentHandler
            | Role::FollowUp
            | Role::Judge
    )
}

/// Whose cases a user works on inside their region: a mediator the cases assigned to
/// them (or to their mediation room with no mediator named yet), a department handler
/// those its unit leads or co-handles; every other role the whole region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Holding {
    #[default]
    Region,
    Mediator {
        mediator: Option<i64>,
        unit: Option<i64>,
    },
    Unit(Option<i64>),
}

impl Holding {
    pub fn of(staff: &Staff) -> Self {
        match staff.role {
            Role::Mediator => Self::Mediator {
                mediator: staff.mediator_id,
                unit: staff.org_id,
            },
            Role::DepartmentHandler => Self::Unit(staff.org_id),
            _ => Self::Region,
        }
    }

    /// Whether a case (already inside the region) is theirs. A mediator without a
    /// mediator record or unit, or a handler without a unit, holds none.
    pub fn holds(self, case: &Case) -> bool {
        match self {
            Self::Region => true,
            Self::Mediator { mediator, unit } => match case.mediator {
                Some(m) => mediator == Some(m),
                None => unit.is_some() && case.lead_unit == unit,
            },
            Self::Unit(Some(u)) => case.lead_unit == Some(u) || case.co_handlers.contains(&u),
            Self::Unit(None) => false,
        }
    }
}
