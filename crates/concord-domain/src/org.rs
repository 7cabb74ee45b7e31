//! Organizations at or under a center, and the staff who work in them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::category::Category;
use crate::labelled_enum;
use crate::region::RegionCode;

labelled_enum! {
    /// What kind of body an organization is.
    pub enum OrgKind {
        Center = ("center", "矛盾纠纷调处化解中心"),
        Department = ("department", "政府部门"),
        Court = ("court", "人民法院"),
        Procuratorate = ("procuratorate", "人民检察院"),
        PetitionBureau = ("petition_bureau", "信访局"),
        PeoplesMediationCommittee = ("peoples_mediation_committee", "人民调解委员会"),
        ProfessionalCommittee = ("professional_committee", "行业性专业性调委会"),
        MediationRoom = ("mediation_room", "品牌调解室"),
        LegalAid = ("legal_aid", "法律援助"),
        PsychService = ("psych_service", "社会心理服务"),
        ExpertPool = ("expert_pool", "专家库"),
    }
}

labelled_enum! {
    /// How an organization is present at its center (常驻、轮驻、随驻、聘驻), or local.
    pub enum Stationing {
        Permanent = ("permanent", "常驻"),
        Rotating = ("rotating", "轮驻"),
        OnCall = ("on_call", "随驻"),
        Contracted = ("contracted", "聘驻"),
        Local = ("local", "属地"),
    }
}

labelled_enum! {
    /// What a staff user does in Concord (DESIGN.md, "Who uses it").
    pub enum Role {
        Clerk = ("clerk", "窗口受理"),
        Dispatcher = ("dispatcher", "指挥中心"),
        Mediator = ("mediator", "调解员"),
        DepartmentHandler = ("department_handler", "部门承办人"),
        GridWorker = ("grid_worker", "网格员"),
        Judge = ("judge", "法官"),
        FollowUp = ("follow_up", "回访员"),
        Leader = ("leader", "领导"),
        Admin = ("admin", "系统管理员"),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub stationing: Stationing,
    /// The dispute categories it handles; empty means any.
    pub categories: Vec<Category>,
}

/// A staff user as the rest of the system sees them (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub org_id: Option<i64>,
    /// The mediator record this user is, if any: a mediator works on the cases assigned
    /// to it.
    pub mediator_id: Option<i64>,
}

/// A mediator: a staff member or an outside expert, with what they are good at.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mediator {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub expertise: Vec<Category>,
    pub title: String,
    pub user_id: Option<i64>,
    /// Languages and dialects they mediate in, e.g. 云和话, 景宁畲语.
    pub languages: Vec<String>,
    /// Removed from the directory (e.g. after an assessment) when false.
    pub active: bool,
}
