/**
 * PEFT LoRA adapters: {@code adapter_config.json} with PEFT's scaling rules, adapter directories opened and
 * checked for consistency, modules loaded one at a time as fp32, and merged adapters written so that PEFT loads
 * them with scaling 1.
 */
package amalgam.merge.adapter;
