use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;

use super::*;

const CERT: &str = include_str!("../../tests/fixtures/seal/cert.pem");
const KEY: &str = include_str!("../../tests/fixtures/seal/key.pem");

fn private_key() -> RsaPrivateKey {
    let (_, der) = x509_cert::der::pem::decode_vec(KEY.as_bytes()).expect("pem");
    RsaPrivateKey::from_pkcs8_der(&der).expect("pkcs8")
}

fn public_key() -> RsaPublicKey {
    sealing_key(CERT, std::time::SystemTime::now()).expect("the test certificate")
}

#[test]
fn a_value_round_trips_under_its_label_only() {
    let mut rng = rand::rngs::OsRng;
    let sealed = hybrid::encrypt(&mut rng, &public_key(), b"s3cr3t", "shop/db").expect("seal");
    // Length prefix, a 2048-bit RSA block, then AES-GCM ciphertext and tag.
    assert_eq!(&sealed[..2], &256u16.to_be_bytes());
    assert_eq!(sealed.len(), 2 + 256 + 6 + 16);
    let key = private_key();
    assert_eq!(
        hybrid::decrypt(&key, &sealed, "shop/db").as_deref(),
        Ok(&b"s3cr3t"[..])
    );
    for wrong in ["shop/other", "shop", "", "other/db"] {
        assert!(hybrid::decrypt(&key, &sealed, wrong).is_err(), "{wrong}");
    }
}

#[test]
fn each_scope_has_its_label_and_annotation() {
    assert_eq!(Scope::Strict.label("ns", "n"), "ns/n");
    assert_eq!(Scope::NamespaceWide.label("ns", "n"), "ns");
    assert_eq!(Scope::ClusterWide.label("ns", "n"), "");
    assert_eq!(Scope::Strict.annotation(), None);
    assert_eq!(
        Scope::ClusterWide.annotation(),
        Some("sealedsecrets.bitnami.com/cluster-wide")
    );
}

#[test]
fn a_manifest_is_sealed_without_its_plaintext_or_its_applied_copy() {
    let manifest = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n  \
        labels: {app: web}\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: \
        '{\"stringData\":{\"password\":\"hunter2\"}}'\n    team: payments\n\
        type: Opaque\ndata:\n  user: YWRtaW4=\nstringData:\n  password: hunter2\n";
    let secret = from_manifest(manifest, "stdin", None).expect("a secret");
    assert_eq!(secret.dropped.len(), 1);
    let target = Target {
        name: "db",
        namespace: "shop",
        scope: Scope::NamespaceWide,
        comment: "sealed for staging",
    };
    let text = seal(&secret, &target, &public_key()).expect("sealed");
    assert!(!text.contains("hunter2") && !text.contains("YWRtaW4") && !text.contains("admin"));
    let doc = &crate::yaml::parse(&text).expect("yaml")[0];
    let spec = doc
        .as_map()
        .and_then(|m| m.get("spec"))
        .and_then(Node::as_map)
        .expect("spec");
    let data = spec
        .get("encryptedData")
        .and_then(Node::as_map)
        .expect("data");
    let key = private_key();
    for (name, plain) in [("password", "hunter2"), ("user", "admin")] {
        let blob = STANDARD
            .decode(data.get(name).and_then(Node::as_str).expect(name))
            .expect("b64");
        assert_eq!(
            hybrid::decrypt(&key, &blob, "shop").as_deref(),
            Ok(plain.as_bytes())
        );
    }
    assert!(
        text.contains("  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n")
    );
    assert!(text.contains("        team: payments\n"), "{text}");
    assert!(!text.contains("last-applied"), "{text}");
}

use crate::yaml::Node;

#[test]
fn what_is_not_a_secret_is_refused_without_echoing_values() {
    for (text, expected) in [
        (
            "kind: ConfigMap\ndata: {a: b}\n",
            "holds no `kind: Secret` document",
        ),
        (
            "kind: Secret\ndata:\n  a: '%%hunter2'\n",
            "stdin:3: `data.a` is not base64",
        ),
        (
            "kind: Secret\ndata:\n  'bad key': YQ==\n",
            "is not a Secret key",
        ),
        (
            "kind: Secret\nstringData: {a: x}\ndata: {a: YQ==}\n",
            "key `a` is given twice",
        ),
        ("kind: Secret\nstringData:\n  a: \"hunter2\n", "stdin:"),
        (
            "kind: Secret\nstringData:\n  a: !!int hunter2\n",
            "stdin:3: not valid YAML here",
        ),
        (
            "kind: Secret\nmetadata: {name: a}\n---\nkind: Secret\nmetadata: {name: b}\n",
            "holds 2 Secrets (a, b); choose one with --name",
        ),
    ] {
        let refused = from_manifest(text, "stdin", None).map(|_| ());
        let Err(why) = refused else {
            panic!("{text} was accepted");
        };
        assert!(why.contains(expected), "{why}");
        assert!(!why.contains("hunter2"), "{why}");
    }
}

#[test]
fn certificates_that_cannot_seal_are_refused() {
    let now = std::time::SystemTime::now();
    let expired = include_str!("../../tests/fixtures/seal/expired.pem");
    let ec = include_str!("../../tests/fixtures/seal/ec.pem");
    for (pem, expected) in [
        (expired, "expired on"),
        (ec, "not RSA"),
        ("hello", "is not a PEM X.509 certificate"),
        (KEY, "is not a PEM X.509 certificate"),
    ] {
        let Err(why) = sealing_key(pem, now) else {
            panic!("{expected}: accepted");
        };
        assert!(why.contains(expected), "{why}");
    }
}

#[test]
fn a_secret_without_values_is_refused() {
    let empty = from_manifest(
        "kind: Secret\nmetadata: {name: e}\ndata: {}\n",
        "stdin",
        None,
    )
    .expect("read");
    let target = Target {
        name: "e",
        namespace: "ns",
        scope: Scope::Strict,
        comment: "",
    };
    let refused = seal(&empty, &target, &public_key());
    assert!(
        matches!(&refused, Err(why) if why.starts_with("no value to seal")),
        "{refused:?}"
    );
}
