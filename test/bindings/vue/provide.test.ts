import { describe, expect, it } from "vitest";
import { mount } from "@vue/test-utils";
import { defineComponent, h } from "vue";
import { eventually, NDKPrivateKeySigner } from "../../support/env";
import { SessionError } from "../../../src";
import { NO_SESSION_MANAGER, provideSessionManager, useActivePubkey, useSessionManager } from "../../../src/bindings/vue";
import { useVueHarness } from "./harness";

const { fixture, newManager } = useVueHarness();

describe("providing the manager", () => {
  it("provideSessionManager serves a subtree; without it useSessionManager throws a SessionError", async () => {
    const { manager, ready } = newManager();

    let found: unknown;
    let thrown: unknown;
    const Child = defineComponent({
      setup() {
        try {
          found = useSessionManager();
        } catch (error) {
          thrown = error;
        }
        const active = thrown ? undefined : useActivePubkey();
        return () => h("span", active?.value ?? "none");
      },
    });
    const Provider = defineComponent({
      setup() {
        provideSessionManager(manager);
        return () => h(Child);
      },
    });
    const provided = mount(Provider);
    fixture.defer(() => provided.unmount());
    expect(found).toBe(manager);
    const alice = NDKPrivateKeySigner.generate();
    await manager.login(alice);
    await ready(alice.pubkey);
    await eventually(() => provided.text() === alice.pubkey, 3000, "active pubkey through provide()");

    found = undefined;
    const orphan = mount(Child);
    fixture.defer(() => orphan.unmount());
    expect(found).toBeUndefined();
    expect(thrown).toBeInstanceOf(SessionError);
    expect((thrown as SessionError).code).toBe(NO_SESSION_MANAGER);
    expect(orphan.text()).toBe("none");

    // Outside any component there is nothing to inject from.
    expect(() => useSessionManager()).toThrow(SessionError);
  });
});
