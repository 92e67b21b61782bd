import { describe, expect, it } from "vitest";
import { isSecretKey, maskValue } from "../../../src/app/secrets.js";

describe("isSecretKey", () => {
  it.each([
    "SECRET_KEY_BASE",
    "GITHUB_TOKEN",
    "DB_PASSWORD",
    "API_KEY",
    "stripe_secret",
    "MYSQL_PASSWD",
    "AWS_CREDENTIALS",
    "PRIVATE_PEM",
    "apiKey",
  ])("treats %s as secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(["PORT", "DATABASE_URL", "NODE_ENV", "RAILS_ENV", "PS", "HOST"])(
    "treats %s as not secret",
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe("maskValue", () => {
  it("hides the value behind a mask of constant length", () => {
    expect(maskValue("hunter2")).toBe("********");
    expect(maskValue("")).toBe("********");
    expect(maskValue("x".repeat(200))).toBe("********");
  });
});
