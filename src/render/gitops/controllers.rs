//! RENDER stage: the view of a controller ([`crate::model::controllers`]) every operator's
//! template reads: the chart, where it runs, and its values as a two-level tree.

use serde::Serialize;

use crate::model::controllers::{Controller, HelmValue};

#[derive(Serialize)]
pub(crate) struct ControllerView<'a> {
    pub(crate) name: &'a str,
    pub(crate) repository: &'a str,
    pub(crate) chart: &'a str,
    pub(crate) version: &'a str,
    pub(crate) release: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) values: Vec<ValueView<'a>>,
}

/// One key of the values: a value, or the keys below it.
#[derive(Serialize)]
pub(crate) struct ValueView<'a> {
    key: &'a str,
    value: Option<&'a HelmValue>,
    children: Vec<ValueView<'a>>,
}

impl<'a> ControllerView<'a> {
    pub(crate) fn of(controller: &'a Controller) -> ControllerView<'a> {
        let mut values: Vec<ValueView> = Vec::new();
        for (key, value) in &controller.values {
            match key.split_once('.') {
                None => values.push(ValueView {
                    key,
                    value: Some(value),
                    children: Vec::new(),
                }),
                Some((parent, child)) => {
                    let leaf = ValueView {
                        key: child,
                        value: Some(value),
                        children: Vec::new(),
                    };
                    match values.iter_mut().find(|v| v.key == parent) {
                        Some(node) => node.children.push(leaf),
                        None => values.push(ValueView {
                            key: parent,
                            value: None,
                            children: vec![leaf],
                        }),
                    }
                }
            }
        }
        ControllerView {
            name: controller.name,
            repository: controller.repository,
            chart: controller.chart,
            version: controller.version,
            release: controller.release,
            namespace: controller.namespace,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_nest_once() {
        let controller = Controller {
            name: "flagger",
            repository: "https://flagger.app",
            chart: "flagger",
            version: "1.44.0",
            release: "flagger",
            namespace: "flagger-system",
            values: vec![
                ("meshProvider", HelmValue::Text("nginx".to_owned())),
                ("prometheus.install", HelmValue::Flag(true)),
            ],
            clusters: vec!["prod".to_owned()],
        };
        let view = ControllerView::of(&controller);
        assert_eq!(view.values.len(), 2);
        assert_eq!(view.values[1].key, "prometheus");
        assert_eq!(view.values[1].children[0].key, "install");
        assert!(view.values[1].value.is_none());
    }
}
