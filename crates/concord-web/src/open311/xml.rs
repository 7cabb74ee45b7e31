//! GeoReport v2's XML: the JSON answer written as elements, each list's items named by
//! the singular of the list (`services` holds `service`s).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::Value;

/// The element each list's items are written as.
fn item_name(list: &str) -> &str {
    match list {
        "services" => "service",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "service_requests" => "request",
        "errors" => "error",
        "parties" => "party",
        "co_handlers" => "co_handler",
        other => other.strip_suffix('s').unwrap_or("item"),
    }
}

/// `value` as a document whose root element is `root`.
pub fn document(root: &str, value: &Value) -> String {
    let mut w = Writer::new(Vec::new());
    let decl = BytesDecl::new("1.0", Some("utf-8"), None);
    w.write_event(Event::Decl(decl)).expect("writing to memory");
    element(&mut w, root, value);
    String::from_utf8(w.into_inner()).expect("the writer writes UTF-8")
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, value: &Value) {
    let put = |w: &mut Writer<Vec<u8>>, e: Event| w.write_event(e).expect("writing to memory");
    match value {
        Value::Null => put(w, Event::Empty(BytesStart::new(name))),
        Value::Array(items) => {
            put(w, Event::Start(BytesStart::new(name)));
            for item in items {
                element(w, item_name(name), item);
            }
            put(w, Event::End(BytesEnd::new(name)));
        }
        Value::Object(fields) => {
            put(w, Event::Start(BytesStart::new(name)));
            for (k, v) in fields {
                element(w, k, v);
            }
            put(w, Event::End(BytesEnd::new(name)));
        }
        scalar => {
            let text = match scalar {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            put(w, Event::Start(BytesStart::new(name)));
            put(w, Event::Text(BytesText::new(&text)));
            put(w, Event::End(BytesEnd::new(name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_written_as_their_items_and_text_is_escaped() {
        let v = serde_json::json!([{"service_code": "labor", "service_name": "劳动<争议>&",
                                    "metadata": true, "keywords": null}]);
        let xml = document("services", &v);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service>\
             <keywords/><metadata>true</metadata><service_code>labor</service_code>\
             <service_name>劳动&lt;争议&gt;&amp;</service_name></service></services>"
        );
    }
}
