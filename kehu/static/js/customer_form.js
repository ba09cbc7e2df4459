// The customer form (customers/_customer_form.html): enterprise and individual sections follow
// the chosen kind. Alpine's CSP build evaluates no expressions, so the template names only the
// properties and methods registered here. Loaded before Alpine (base.html "scripts" block).
document.addEventListener("alpine:init", () => {
  window.Alpine.data("customerForm", () => ({
    kind: "enterprise",

    init() {
      this.kind = this.$el.dataset.kind || "enterprise";
      this.$el.querySelectorAll('input[name="kind"]').forEach((radio) => {
        radio.addEventListener("change", () => this.setKind(radio.value));
      });
    },

    setKind(kind) {
      this.kind = kind;
    },

    get isEnterprise() {
      return this.kind === "enterprise";
    },

    get isIndividual() {
      return this.kind === "individual";
    },
  }));
});
