"""Cases of the bad-input matrix that fail on the current extension, with
the symptom each showed. test_bad_input_matrix.py marks them
xfail(strict=True): fixing one in src/ makes its case XPASS, which fails
the suite until the entry is deleted here. Every entry is a bug in forge3d
(see the report in the commit that added it); never add one to silence a
regression. `python _matrix_cases.py --write-known` rewrites this file from
a run; review the diff.
"""

KNOWN: dict[str, str] = {
    'Points.set_positions:positions=dtype_bool':
        'the message does not name positions: builtins.TypeError: vertices: bool values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_complex':
        'the message does not name positions: builtins.TypeError: vertices: complex values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_object':
        'the message does not name positions: builtins.TypeError: vertices: object values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_str':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "32w" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_bytes':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "8s" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_datetime64':
        "the message does not name positions: builtins.TypeError: vertices must be a numeric array, got datetime64[s] (ValueError: cannot include dtype 'M' in a buffer); convert it, e.g. np.asarray(vertices, dtype=np.float32)",
    'Points.set_positions:positions=dtype_timedelta64':
        "the message does not name positions: builtins.TypeError: vertices must be a numeric array, got timedelta64[s] (ValueError: cannot include dtype 'm' in a buffer); convert it, e.g. np.asarray(vertices, dtype=np.float32)",
    'Points.set_positions:positions=dtype_structured':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "T{f:a:f:b:}" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=dtype_longdouble':
        'the message does not name positions: builtins.TypeError: vertices: long double values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points.set_positions:positions=ndim0':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got []',
    'Points.set_positions:positions=ndim1_odd':
        'the message does not name positions: builtins.ValueError: vertices: a flat array of 13 values is not a whole number of rows of 3; expected shape (N, 3) or flat (3*N,)',
    'Points.set_positions:positions=ndim_plus1':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [1, 4, 3]',
    'Points.set_positions:positions=wrong_rows':
        'the message does not name positions: builtins.ValueError: vertices: 5 rows given but the mesh has 4 vertices; pass exactly 4 rows, or call resize(5) first to change the vertex count',
    'Points.set_positions:positions=shape_only_rows':
        'the message does not name positions: builtins.ValueError: vertices: 2147483648 rows given but the mesh has 4 vertices; pass exactly 4 rows, or call resize(2147483648) first to change the vertex count',
    'Points.set_positions:positions=shape_only_square':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [100000, 100000]',
    'Points.set_positions:positions=shape_only_flat':
        'the message does not name positions: builtins.ValueError: vertices: a flat array of 8589934592 values is not a whole number of rows of 3; expected shape (N, 3) or flat (3*N,)',
    'Points.set_positions:positions=empty':
        'the message does not name positions: builtins.ValueError: vertices: 0 rows given but the mesh has 4 vertices; pass exactly 4 rows, or call resize(0) first to change the vertex count',
    'Points.set_positions:positions=list':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got list',
    'Points.set_positions:positions=ragged':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got list',
    'Points.set_positions:positions=none':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got NoneType',
    'Points.set_positions:positions=int':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got int',
    'Points.set_positions:positions=float':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got float',
    'Points.set_positions:positions=str':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got str',
    'Points.set_positions:positions=bytes':
        'the message does not name positions: builtins.ValueError: vertices: 16 rows given but the mesh has 4 vertices; pass exactly 4 rows, or call resize(16) first to change the vertex count',
    'Points.set_positions:positions=bytearray':
        'the message does not name positions: builtins.ValueError: vertices: 16 rows given but the mesh has 4 vertices; pass exactly 4 rows, or call resize(16) first to change the vertex count',
    'Points.set_positions:positions=dict':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got dict',
    'Points.set_positions:positions=object':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got object',
    'Points.set_positions:positions=wrong_cols':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [4, 4]',
    'Points:positions=dtype_bool':
        'the message does not name positions: builtins.TypeError: vertices: bool values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_complex':
        'the message does not name positions: builtins.TypeError: vertices: complex values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_object':
        'the message does not name positions: builtins.TypeError: vertices: object values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_str':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "32w" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_bytes':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "8s" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_datetime64':
        "the message does not name positions: builtins.TypeError: vertices must be a numeric array, got datetime64[s] (ValueError: cannot include dtype 'M' in a buffer); convert it, e.g. np.asarray(vertices, dtype=np.float32)",
    'Points:positions=dtype_timedelta64':
        "the message does not name positions: builtins.TypeError: vertices must be a numeric array, got timedelta64[s] (ValueError: cannot include dtype 'm' in a buffer); convert it, e.g. np.asarray(vertices, dtype=np.float32)",
    'Points:positions=dtype_structured':
        'the message does not name positions: builtins.TypeError: vertices: buffer format "T{f:a:f:b:}" values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=dtype_longdouble':
        'the message does not name positions: builtins.TypeError: vertices: long double values are not accepted; convert them, e.g. np.asarray(vertices, dtype=np.float32)',
    'Points:positions=ndim0':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got []',
    'Points:positions=ndim1_odd':
        'the message does not name positions: builtins.ValueError: vertices: a flat array of 13 values is not a whole number of rows of 3; expected shape (N, 3) or flat (3*N,)',
    'Points:positions=ndim_plus1':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [1, 4, 3]',
    'Points:positions=shape_only_rows':
        'the message does not name positions: builtins.ValueError: vertices: 2147483648 vertices need 34359738368 bytes of colors per buffer, more than this device allows (134217728); split the mesh',
    'Points:positions=shape_only_square':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [100000, 100000]',
    'Points:positions=shape_only_flat':
        'the message does not name positions: builtins.ValueError: vertices: a flat array of 8589934592 values is not a whole number of rows of 3; expected shape (N, 3) or flat (3*N,)',
    'Points:positions=list':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got list',
    'Points:positions=ragged':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got list',
    'Points:positions=none':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got NoneType',
    'Points:positions=int':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got int',
    'Points:positions=float':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got float',
    'Points:positions=str':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got str',
    'Points:positions=dict':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got dict',
    'Points:positions=object':
        'the message does not name positions: builtins.TypeError: vertices must be a NumPy array (or buffer) of shape (N, 3), or a DataFrame / Arrow table of 3 numeric columns; got object',
    'Points:positions=wrong_cols':
        'the message does not name positions: builtins.ValueError: vertices must have shape (N, 3) or flat (3*N,), got [4, 4]',
    'Renderer:width=np_1elem':
        'the message does not name width: builtins.TypeError: only integer scalar arrays can be converted to a scalar index',
    'Renderer:height=np_1elem':
        'the message does not name height: builtins.TypeError: only integer scalar arrays can be converted to a scalar index',
    'Renderer.set_colormap:name=int':
        "the message does not name name or colormap: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.set_colormap:name=none':
        "the message does not name name or colormap: builtins.TypeError: 'None' is not an instance of 'str'",
    'Renderer.set_colormap:name=bytes':
        "the message does not name name or colormap: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.set_colormap:name=list':
        "the message does not name name or colormap: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Renderer.add_terrain:colormap=int':
        "the message does not name colormap: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.add_terrain:colormap=none':
        "the message does not name colormap: builtins.TypeError: 'None' is not an instance of 'str'",
    'Renderer.add_terrain:colormap=bytes':
        "the message does not name colormap: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.add_terrain:colormap=list':
        "the message does not name colormap: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Renderer.add_terrain:copy=int1':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Renderer.add_terrain:copy=int0':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Renderer.add_terrain:copy=str':
        "the message does not name copy: builtins.TypeError: 'str' object is not an instance of 'bool'",
    'Renderer.add_terrain:copy=list':
        "the message does not name copy: builtins.TypeError: 'list' object is not an instance of 'bool'",
    'Renderer.add_terrain:copy=float':
        "the message does not name copy: builtins.TypeError: 'float' object is not an instance of 'bool'",
    'Heightmap:spacing=f32_overflow':
        'bad input was accepted (returned Heightmap(shape=(4, 4), spacing=(1e300, 1e300), origin=(0.0, 0.0), nodata=None, borrowed))',
    'Heightmap:spacing=pair_overflow':
        'bad input was accepted (returned Heightmap(shape=(4, 4), spacing=(1e300, 1.0), origin=(0.0, 0.0), nodata=None, borrowed))',
    'Heightmap:copy=int1':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Heightmap:copy=int0':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Heightmap:copy=str':
        "the message does not name copy: builtins.TypeError: 'str' object is not an instance of 'bool'",
    'Heightmap:copy=list':
        "the message does not name copy: builtins.TypeError: 'list' object is not an instance of 'bool'",
    'Heightmap:copy=float':
        "the message does not name copy: builtins.TypeError: 'float' object is not an instance of 'bool'",
    'Renderer.add_mesh:mesh=none':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got NoneType',
    'Renderer.add_mesh:mesh=int':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got int',
    'Renderer.add_mesh:mesh=str':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got str',
    'Renderer.add_mesh:mesh=ndarray':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got ndarray',
    'Renderer.add_mesh:mesh=heightmap':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got Heightmap',
    'Renderer.add_mesh:mesh=renderer':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got Renderer',
    'Renderer.add_mesh:mesh=list':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got list',
    'Renderer.add_mesh:style=int':
        "the message does not name style: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.add_mesh:style=bytes':
        "the message does not name style: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.add_mesh:style=list':
        "the message does not name style: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Renderer.add_mesh:colormap=int':
        "the message does not name colormap: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.add_mesh:colormap=bytes':
        "the message does not name colormap: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.add_mesh:colormap=list':
        "the message does not name colormap: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Renderer.add_mesh(cube):colormap=unknown':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):colormap=empty':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):colormap=nul':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):colormap=long':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):colormap=int':
        "the message does not name colormap: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.add_mesh(cube):colormap=bytes':
        "the message does not name colormap: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.add_mesh(cube):colormap=list':
        "the message does not name colormap: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Renderer.add_mesh(cube):colormap=unicode':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh:scalar_range=reversed':
        'the message does not name scalar_range: builtins.ValueError: range must be two finite numbers with min < max, got (10, 0)',
    'Renderer.add_mesh:scalar_range=equal':
        'the message does not name scalar_range: builtins.ValueError: range must be two finite numbers with min < max, got (0, 0)',
    'Renderer.add_mesh:scalar_range=nan_item':
        'the message does not name scalar_range: builtins.ValueError: range must be two finite numbers with min < max, got (0, NaN)',
    'Renderer.add_mesh:scalar_range=inf_item':
        'the message does not name scalar_range: builtins.ValueError: range must be two finite numbers with min < max, got (0, inf)',
    'Renderer.add_mesh:scalar_range=f32_overflow':
        'the message does not name scalar_range: builtins.ValueError: range must be two finite numbers with min < max, got (-inf, inf)',
    'Renderer.add_mesh(cube):size=neg':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=zero':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=nan':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=inf':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=ninf':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=f32_overflow':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=subnormal':
        'bad input was accepted (returned 1)',
    'Renderer.add_mesh(cube):size=np_nan':
        'bad input was accepted (returned 1)',
    'Renderer.set_mesh_style:style=int':
        "the message does not name style: builtins.TypeError: 'int' object is not an instance of 'str'",
    'Renderer.set_mesh_style:style=none':
        "the message does not name style: builtins.TypeError: 'None' is not an instance of 'str'",
    'Renderer.set_mesh_style:style=bytes':
        "the message does not name style: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'Renderer.set_mesh_style:style=list':
        "the message does not name style: builtins.TypeError: 'list' object is not an instance of 'str'",
    'Mesh.resize:n=device_limit':
        'the message does not name n: builtins.ValueError: 33554432 vertices need 536870912 bytes of colors per buffer, more than this device allows (134217728); split the mesh',
    'Mesh.resize:n=u32_max':
        'the message does not name n: builtins.ValueError: 4294967295 vertices need 68719476720 bytes of colors per buffer, more than this device allows (134217728); split the mesh',
    'Points.resize:n=device_limit':
        'the message does not name n: builtins.ValueError: 33554432 vertices need 536870912 bytes of colors per buffer, more than this device allows (134217728); split the mesh',
    'Points.resize:n=u32_max':
        'the message does not name n: builtins.ValueError: 4294967295 vertices need 68719476720 bytes of colors per buffer, more than this device allows (134217728); split the mesh',
    'Mesh:dynamic=none':
        "the message does not name dynamic: builtins.TypeError: 'None' is not an instance of 'bool'",
    'Mesh:dynamic=int1':
        "the message does not name dynamic: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Mesh:dynamic=int0':
        "the message does not name dynamic: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Mesh:dynamic=str':
        "the message does not name dynamic: builtins.TypeError: 'str' object is not an instance of 'bool'",
    'Mesh:dynamic=list':
        "the message does not name dynamic: builtins.TypeError: 'list' object is not an instance of 'bool'",
    'Mesh:dynamic=float':
        "the message does not name dynamic: builtins.TypeError: 'float' object is not an instance of 'bool'",
    'Mesh.set_vertices:copy=int1':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Mesh.set_vertices:copy=int0':
        "the message does not name copy: builtins.TypeError: 'int' object is not an instance of 'bool'",
    'Mesh.set_vertices:copy=str':
        "the message does not name copy: builtins.TypeError: 'str' object is not an instance of 'bool'",
    'Mesh.set_vertices:copy=list':
        "the message does not name copy: builtins.TypeError: 'list' object is not an instance of 'bool'",
    'Mesh.set_vertices:copy=float':
        "the message does not name copy: builtins.TypeError: 'float' object is not an instance of 'bool'",
    'Points:size=subnormal':
        'bad input was accepted (returned Points(count=4, size=0, attributes=["vertices"]))',
    'Points.size=:size=subnormal':
        'bad input was accepted (returned None)',
    'primitives.sphere:radius=f32_overflow':
        'the message does not name radius: builtins.ValueError: vertices: row 0 column 0 is NaN ; positions and other float attributes must be finite (replace them, e.g. np.nan_to_num(vertices), or drop those rows)',
    'primitives.cube:size=f32_overflow':
        'the message does not name size: builtins.ValueError: vertices: row 0 column 0 is inf ; positions and other float attributes must be finite (replace them, e.g. np.nan_to_num(vertices), or drop those rows)',
    'primitives.plane:size=f32_overflow':
        'the message does not name size: builtins.ValueError: vertices: row 0 column 0 is -inf ; positions and other float attributes must be finite (replace them, e.g. np.nan_to_num(vertices), or drop those rows)',
    'interop.copy_to_vertex_buffer:mesh=none':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got NoneType',
    'interop.copy_to_vertex_buffer:mesh=int':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got int',
    'interop.copy_to_vertex_buffer:mesh=ndarray':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got ndarray',
    'interop.copy_to_vertex_buffer:mesh=heightmap':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got Heightmap',
    'interop.copy_to_vertex_buffer:mesh=str':
        'the message does not name mesh: builtins.TypeError: expected a forge3d.Mesh or forge3d.Points, got str',
    'arrow.terrain_from_table:x=none':
        "the message does not name x: builtins.TypeError: 'None' is not an instance of 'str'",
    'arrow.terrain_from_table:x=int':
        "the message does not name x: builtins.TypeError: 'int' object is not an instance of 'str'",
    'arrow.terrain_from_table:x=bytes':
        "the message does not name x: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'arrow.terrain_from_table:x=list':
        "the message does not name x: builtins.TypeError: 'list' object is not an instance of 'str'",
    'arrow.terrain_from_table:y=none':
        "the message does not name y: builtins.TypeError: 'None' is not an instance of 'str'",
    'arrow.terrain_from_table:y=int':
        "the message does not name y: builtins.TypeError: 'int' object is not an instance of 'str'",
    'arrow.terrain_from_table:y=bytes':
        "the message does not name y: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'arrow.terrain_from_table:y=list':
        "the message does not name y: builtins.TypeError: 'list' object is not an instance of 'str'",
    'arrow.terrain_from_table:z=none':
        "the message does not name z: builtins.TypeError: 'None' is not an instance of 'str'",
    'arrow.terrain_from_table:z=int':
        "the message does not name z: builtins.TypeError: 'int' object is not an instance of 'str'",
    'arrow.terrain_from_table:z=bytes':
        "the message does not name z: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'arrow.terrain_from_table:z=list':
        "the message does not name z: builtins.TypeError: 'list' object is not an instance of 'str'",
    'arrow.terrain_from_table:agg=int':
        "the message does not name agg: builtins.TypeError: 'int' object is not an instance of 'str'",
    'arrow.terrain_from_table:agg=none':
        "the message does not name agg: builtins.TypeError: 'None' is not an instance of 'str'",
    'arrow.terrain_from_table:agg=bytes':
        "the message does not name agg: builtins.TypeError: 'bytes' object is not an instance of 'str'",
    'arrow.terrain_from_table:agg=list':
        "the message does not name agg: builtins.TypeError: 'list' object is not an instance of 'str'",
}
