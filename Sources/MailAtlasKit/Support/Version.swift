public enum MailAtlasKitVersion { public static let string = "0.1.0-dev" }
