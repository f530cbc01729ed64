// Two versions side by side, each element the server found different coloured on both:
// green added (new side), red removed (old side), orange changed (both).
const changes = [...document.querySelectorAll('#changes tr[data-element]')].map((row) => ({
  element: row.dataset.element,
  kind: row.dataset.kind
}))

async function show (canvasId, xmlId, kinds) {
  const viewer = new window.BpmnJS({ container: `#${canvasId}` })
  try {
    await viewer.importXML(document.getElementById(xmlId).value)
  } catch (error) {
    document.getElementById(canvasId).textContent = `This version cannot be drawn: ${error.message}`
    return
  }
  const canvas = viewer.get('canvas')
  const registry = viewer.get('elementRegistry')
  canvas.zoom('fit-viewport')
  for (const change of changes) {
    if (kinds.includes(change.kind) && registry.get(change.element)) {
      canvas.addMarker(change.element, `app-diff-${change.kind}`)
    }
  }
}

await show('old-canvas', 'old-xml', ['removed', 'changed'])
await show('new-canvas', 'new-xml', ['added', 'changed'])
document.body.dataset.diffReady = 'true'
