//! Labelled enums (a stable snake_case code, a Chinese label) and the dispute taxonomy.

/// Declares an enum whose variants each carry a stable code (its JSON and database form)
/// and a Chinese label, with parsing that names the field at fault.
#[macro_export]
macro_rules! labelled_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( #[serde(rename = $code)] $variant ),+
        }

        // By hand: utoipa's derive does not see a rename that comes from a macro, and
        // would document the variants' Rust names instead of their codes.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let codes: Vec<String> = Self::ALL
                    .iter()
                    .map(|v| format!("`{}` {}", v.as_str(), v.label()))
                    .collect();
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .description(Some(codes.join(", ")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            pub const fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Parses the code, or names `field` and the codes allowed.
            pub fn parse(field: &str, s: &str) -> Result<Self, $crate::FieldError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::FieldError::new(
                        field,
                        "invalid_value",
                        format!("“{s}”不是有效的取值,可选:{}", allowed.join(", ")),
                    )
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

labelled_enum! {
    /// The dispute categories (DESIGN.md).
    pub enum Category {
        MarriageFamily = ("marriage_family", "婚姻家庭"),
        Neighbor = ("neighbor", "邻里纠纷"),
        HousingHomestead = ("housing_homestead", "房屋宅基地"),
        LandForest = ("land_forest", "山林土地"),
        LandRequisition = ("land_requisition", "征地拆迁"),
        Labor = ("labor", "劳动争议"),
        Medical = ("medical", "医疗纠纷"),
        Traffic = ("traffic", "道路交通事故"),
        PropertyMgmt = ("property_mgmt", "物业纠纷"),
        Consumer = ("consumer", "消费纠纷"),
        ContractDebt = ("contract_debt", "合同债务"),
        TortDamage = ("tort_damage", "损害赔偿"),
        Environment = ("environment", "环境污染"),
        Other = ("other", "其他"),
    }
}

impl Category {
    /// How readily disputes of this kind turn into crowds and petitions (涉稳风险), 1–3:
    /// land requisition, wage arrears and pollution gather many people at once; land,
    /// housing, medical and estate disputes often do; the rest seldom. Moving a case to
    /// a category ranked lower is a downgrade: it needs a reason and is reported.
    pub fn stability_rank(self) -> u8 {
        match self {
            Self::LandRequisition | Self::Labor | Self::Environment => 3,
            Self::LandForest | Self::HousingHomestead | Self::Medical | Self::PropertyMgmt => 2,
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_name_the_field() {
        for c in Category::ALL {
            assert_eq!(Category::parse("category", c.as_str()).unwrap(), *c);
        }
        let e = Category::parse("category", "gossip").unwrap_err();
        assert_eq!(e.field, "category");
        assert!(e.message.contains("marriage_family"));
        assert_eq!(
            serde_json::to_string(&Category::PropertyMgmt).unwrap(),
            "\"property_mgmt\""
        );
    }

    #[test]
    fn the_openapi_schema_lists_the_codes_not_the_rust_names() {
        use utoipa::{PartialSchema, ToSchema};
        let schema = serde_json::to_value(Category::schema()).unwrap();
        assert_eq!(schema["enum"][0], "marriage_family");
        assert_eq!(
            schema["enum"].as_array().unwrap().len(),
            Category::ALL.len()
        );
        assert!(
            schema["description"]
                .as_str()
                .unwrap()
                .contains("`labor` 劳动争议")
        );
        assert_eq!(Category::name(), "Category");
    }
}
