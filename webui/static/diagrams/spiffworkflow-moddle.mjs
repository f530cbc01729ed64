// The SpiffWorkflow extension elements this product reads, described for bpmn-js's moddle so
// the editor reads and writes them as typed objects (formKey and other properties, pre- and
// post-scripts) instead of opaque XML.
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
    }
  ]
}
