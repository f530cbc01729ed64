// The SpiffWorkflow extensions this product reads, described for bpmn-js's moddle so the editor
// reads and writes them as typed objects instead of dropping them: formKey and the other
// properties, pre- and post-scripts, and scriptsOnInstances on a multi-instance task. Names
// follow SpiffArena's own descriptor (bpmn-js-spiffworkflow), so files move between the two.
export const spiffworkflow = {
  name: 'SpiffWorkflow',
  prefix: 'spiffworkflow',
  uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      name: 'Properties',
      superClass: ['Element'],
      properties: [{ name: 'values', type: 'Property', isMany: true }]
    },
    {
      name: 'Property',
      superClass: ['Element'],
      properties: [
        { name: 'name', type: 'String', isAttr: true },
        { name: 'value', type: 'String', isAttr: true }
      ]
    },
    {
      name: 'PreScript',
      superClass: ['Element'],
      properties: [{ name: 'value', type: 'String', isBody: true }]
    },
    {
      name: 'PostScript',
      superClass: ['Element'],
      properties: [{ name: 'value', type: 'String', isBody: true }]
    },
    {
      name: 'ScriptsOnInstances',
      extends: ['bpmn:MultiInstanceLoopCharacteristics', 'bpmn:StandardLoopCharacteristics'],
      properties: [{ name: 'scriptsOnInstances', type: 'Boolean', isAttr: true }]
    }
  ]
}

// SpiffWorkflow reads a multi-instance task's loopDataInputRef and loopDataOutputRef as the
// names of variables; BPMN makes them references to data elements, which a diagram seldom has,
// so the moddle drops them as unresolved. Put each back as a data item with that id: it is
// written out again as the same name.
const LOOP_REFERENCES = ['bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef']

export function keepLoopReferences (moddle, references) {
  for (const ref of references) {
    if (!LOOP_REFERENCES.includes(ref.property) || ref.element.get(ref.property)) continue
    const item = moddle.create('bpmn:ItemAwareElement', { id: ref.id })
    item.$parent = ref.element
    ref.element.set(ref.property, item)
  }
}
