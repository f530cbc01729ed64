// Draw an instance's diagram with bpmn-js and colour its steps: done, waiting, overdue, stopped.
// The page's steps table carries the same facts as text; this is the picture of them.
const container = document.getElementById('instance-diagram')

async function draw () {
  if (!container || !window.BpmnJS) return
  const [xml, states] = await Promise.all([
    fetch(container.dataset.xml, { credentials: 'same-origin' }).then((r) => r.text()),
    fetch(container.dataset.states, { credentials: 'same-origin' }).then((r) => r.json())
  ])
  container.replaceChildren()
  const viewer = new window.BpmnJS({ container })
  await viewer.importXML(xml)
  const canvas = viewer.get('canvas')
  const registry = viewer.get('elementRegistry')
  canvas.zoom('fit-viewport')
  // A sub-process or pool only gets a coloured outline: filling it would hide its steps.
  const containers = new Set(['bpmn:SubProcess', 'bpmn:Participant', 'bpmn:Transaction'])
  for (const [id, state] of Object.entries(states.elements)) {
    const element = registry.get(id)
    if (!element) continue
    canvas.addMarker(id, `app-state-${state}`)
    if (containers.has(element.type)) canvas.addMarker(id, 'app-state--outline')
  }
  container.dataset.drawn = Object.keys(states.elements).length
}

draw().catch((error) => {
  container.dataset.drawn = 'failed'
  const message = document.createElement('p')
  message.className = 'govuk-body'
  message.textContent = 'The diagram could not be drawn. The steps are listed below.'
  container.replaceChildren(message)
  console.error(error)
})
